"""The course's fast training recipe: the settings every chapter compiles its models with.

On a CPU, a small model's training step is mostly Python and dispatch overhead, not
arithmetic. ``steps_per_execution`` makes Keras run that many batches inside one compiled
graph call, so the overhead is paid once per group instead of once per batch. The results
are the same (the same batches, in the same order, with the same updates); what changes is
that callbacks see a batch end only once per group. ``make bench`` measures the gain.

Use it as ``model.compile(..., steps_per_execution=STEPS_PER_EXECUTION)``;
:class:`ae_lib.models.Autoencoder` and :func:`ae_lib.training.train_autoencoder` use it
by default.
"""

#: Batches per compiled call. Chosen by ``make bench`` (tools/anchor.py) on 2 CPU cores.
STEPS_PER_EXECUTION = 64
