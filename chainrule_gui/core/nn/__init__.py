"""The neural-network core: dense layers, losses, optimizers and backpropagation in NumPy.

No Qt here (ARCHITECTURE.md, "Rules").  The pieces, each in its own module:

    spec         NetworkSpec / LayerSpec: sizes, activations, loss, initializer, seed
    network      Network: parameters in one flat vector, forward pass, predictions
    backprop     Backprop: forward + backward over preallocated buffers
    optimizers   SGD, momentum, RMSprop, Adam
    training     Trainer: a generator of StepSnapshot, with divergence guard
    gradcheck    central differences against backprop, per layer
    datasets     generated data sets; csv_import for the user's own
    presets      the seed documents' networks, exactly
    model_file   save/open a model (.npz with JSON inside, versioned)
    diagnosis    vanishing/exploding gradients, in plain words
"""
