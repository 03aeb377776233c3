"""The core layer: exact scalars, errors, the network model, file formats, symmetries."""
