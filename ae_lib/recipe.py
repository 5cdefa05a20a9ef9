"""The course's fast training recipe: the settings every chapter trains its models with.

On a CPU, a small model's training step is mostly Python and dispatch overhead, not
arithmetic. ``steps_per_execution`` makes Keras run that many batches inside one compiled
graph call, so the overhead is paid once per group instead of once per batch. The results
are the same (the same batches, in the same order, with the same updates); what changes is
that callbacks see a batch end only once per group. Validation runs in large batches, for
the same reason. ``make bench`` (``tools/anchor.py``) measures what each setting buys, and
what was tried and not kept.

Use it as ``model.compile(..., steps_per_execution=STEPS_PER_EXECUTION)``;
:class:`ae_lib.models.Autoencoder` compiles with it by default, and
:func:`ae_lib.training.train_autoencoder` validates in batches of
``VALIDATION_BATCH_SIZE``.
"""

#: Batches per compiled call.
STEPS_PER_EXECUTION = 64
#: Images per batch when a validation set is evaluated.
VALIDATION_BATCH_SIZE = 1024
