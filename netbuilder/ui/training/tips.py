"""The Training panel's teaching tooltips, in one place: what each setting means, its unit and a typical
value. Plain text; no Qt (the panel sets them on its fields and their labels)."""

from __future__ import annotations

TIPS: dict[str, str] = {
    "optimizer": ("How the weights are moved down the loss each step. SGD: plain steps (with momentum); Adam "
                  "and AdamW: a step size per weight, a good first choice; RMSprop: scaled steps. "
                  "Typical: Adam."),
    "lr": ("Learning rate: the size of each step down the loss surface (a plain number, no unit). Too large "
           "and the loss jumps or becomes NaN; too small and it barely moves. Typical: 0.001 for Adam, "
           "0.01–0.1 for SGD."),
    "schedule": ("How the learning rate changes during the run (the plot below shows it). Constant: the same "
                 "every step; step decay: multiplied down every few epochs; cosine: eases to zero; one-cycle: "
                 "rises, then falls. Typical: constant to start, cosine for a longer run."),
    "momentum": ("Momentum (SGD, RMSprop): the share of the previous step kept in the next one, from 0 to 1; "
                 "it smooths the path and speeds it along steady slopes. Typical: 0.9."),
    "batch_mode": ("How many samples each step sees. Full batch: the whole training set (smooth but slow "
                   "steps); stochastic: one sample (noisy steps); mini-batch: a few at a time (the usual "
                   "middle way). Typical: mini-batch."),
    "batch_size": ("Samples per step in mini-batch mode. Larger batches give smoother, fewer steps per epoch "
                   "and need more memory. Typical: 32–128."),
    "epochs": ("Epochs: how many times training goes through the whole training set. More epochs can fit "
               "better, until the model starts to overfit (watch the validation curve). Typical: 10–50."),
    "loss": ("The loss: what training makes smaller. Cross-entropy for classes, binary cross-entropy for "
             "yes/no outputs, mean squared error for numbers. Typical: cross-entropy."),
    "weight_decay": ("Weight decay: each step pulls every weight a little towards zero (L2 regularisation), "
                     "which fights overfitting. A plain factor, no unit. Typical: 0 to 0.0005 (0.01 with "
                     "AdamW)."),
    "device": ("Where training runs: automatic picks a GPU when there is one (CUDA, Apple GPU), else the "
               "CPU. A GPU is much faster on images. Typical: automatic."),
    "flip": ("Augmentation: each training image is mirrored left–right at random (a new draw every epoch), "
             "so the model sees more variety. Good for photos; not for digits or text."),
    "shift": ("Augmentation: each training image is moved by up to this many pixels in a random direction "
              "(a new draw every epoch). Unit: pixels. Typical: 0–4 px."),
    "rotation": ("Augmentation: each training image is turned by a random angle up to this many degrees "
                 "(a new draw every epoch). Unit: degrees. Typical: 0–15°."),
    "noise": ("Augmentation: random Gaussian noise of this standard deviation is added to each training "
              "input (images or numbers; a new draw every epoch). Unit: σ of the inputs. Typical: 0–0.1."),
    "early_stopping_patience": ("Patience: training stops early when the validation loss has not improved "
                                "for this many epochs (0: never stops early). Unit: epochs. Typical: 5."),
    "seed": ("Seed: the number that fixes the random start (weights, shuffling, augmentation); the same seed "
             "gives the same run again. Typical: 0."),
    "nesterov": ("Nesterov momentum (SGD): looks one step ahead before taking it; often a little faster. "
                 "Typical: off."),
}

DATASET_TIP = ("The dataset to train on (stored in the design). The last entry, “Image folder or CSV file…”, "
               "picks your own data: a folder with one sub-folder of images per class, or a .csv table whose "
               "last column is the class. You can also drop a folder or a .csv on the window.")
