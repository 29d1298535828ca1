"""The Network mode: build a small net, train it on the NumPy core, watch it learn."""
