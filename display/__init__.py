"""The hall's calling: the board (Kivy), the voice and the LED window screens."""
