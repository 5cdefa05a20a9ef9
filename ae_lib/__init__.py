"""ae_lib: the tested helper package of the autoencoders course.

Modules, one job each: ``data`` (data sets), ``repro`` (seeding), ``models``
(autoencoders), ``regularizers`` (sparsity penalties), ``noise`` (seeded corruption),
``batching`` (tf.data pipelines), ``training`` (fit with compact output), ``probes``
(linear probes), ``stacking`` (greedy layer-wise pretraining), ``metrics`` (errors and
subspaces), ``plotting`` (figures), ``widgets`` (interactive explorers), ``recipe`` (the
fast training settings), ``generative`` (a small FID, active units, bits per dimension),
``latent`` (pictures and an explorer of a 2-D latent space), ``interpret``
(reading hidden units: activation capture, sparse dictionaries' measures, dashboards),
``exercises`` (automatic checks of the learners' code in the exercises) and ``validation`` (the
argument checks they all share).
"""
import importlib.util as _importlib_util
import os as _os

if _importlib_util.find_spec("tensorflow") is None:
    raise ImportError(
        "ae_lib needs TensorFlow (Keras 3 runs on it), and it is not installed. Install it with\n"
        "  pip install 'tensorflow-cpu>=2.16,<2.22'   (no GPU; or: pip install 'ae_lib[cpu]')\n"
        "  pip install 'tensorflow>=2.16,<2.22'       (GPU machines; or: pip install 'ae_lib[gpu]')")

# Keep TensorFlow's C++ log lines (start-up notes, and a harmless "NodeDef mentions attribute
# use_unbounded_threadpool" error that Keras's data pipeline triggers in TensorFlow 2.21) out
# of notebook outputs, unless the user set a level. Real failures still raise in Python.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# On CPUs where oneDNN is on by default (AVX-512 ones, for example) TensorFlow 2.21 prints
# "oneDNN custom operations are on ..." through absl before any log level applies. Turning
# the oneDNN graph rewrites off silences it and makes results agree across CPUs; measured
# here, it leaves the chapters' run times unchanged.
_os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

#: The package's version: its one source. pyproject.toml reads it (``dynamic = ["version"]``)
#: and so does tools/colab_cell.py, which pins the Colab install to the tag ``v<version>``.
__version__ = "0.1.0"
