"""Every device of the hall behind a small interface, opened from a URL in the config.

The package owns the byte ports (`hardware.ports`: serial://, loop://, tcp://, file://,
fake://) and, one module each, the device drivers built on them. Each driver module
ships its fake beside the driver, in the same module: a class that plays the device's
side of a `fake://NAME` port (through `hardware.ports.fake(NAME)`) with the module's own
frame functions, so the demo and the tests run the real driver code.

    hardware/ports.py       open_port(url) -> Port; PortError; the fake:// registry
    hardware/fakes.py       FakeDevice, the far end of every fake:// port
    hardware/printer.py     ticket printer (ESC/POS through python-escpos): status, faults
    hardware/ticket_render.py  printed lines -> one ESC/POS job (GB18030 text or an image)
    hardware/escpos_image.py   an ESC/POS job read back into a picture (tests, docs)
    hardware/led_screen.py  LED window screens on an RS-485 bus (frames, LedBus, fake)
    hardware/rs485.py       the RS-485 frames and bus master (screens, keypads, rating pads)
    hardware/buses.py       which [[devices]] share a bus, at which address (config checks)
    hardware/keypad.py      caller keypads on an RS-485 bus (frames, KeypadBus, fake)
    hardware/rating_pad.py  好差评 rating pads (frames, RatingPadBus/RatingPad, fake)
    hardware/id_reader.py   ID card reader at the kiosk (SAM-style serial frames)

The rules every device module follows:
* frame encoding and decoding are pure functions (bytes in, values out), apart from the
  I/O loop; the reader thread only reads bytes and hands them to the decoder;
* a device opens its port with `hardware.ports.open_port(url)`, never with pyserial or
  sockets directly, and lets `PortError` tell the caller what failed;
* a fake is chosen by a `fake://` URL in the hall's config, never by `if TESTING`.

`docs/hardware.md` describes the URLs, the port interface and (as the device modules
arrive) every frame format.
"""
