"""The kiosk's screens, one module per part of the home screen (docs/kiosk.md)."""
