"""ae_lib: the tested helper package of the autoencoders course.

Modules: ``data`` (data sets), ``repro`` (seeding), ``models`` (autoencoders),
``training`` (fit with compact output), ``metrics`` (errors), ``plotting`` (figures).
"""
import importlib.util as _importlib_util
import os as _os

if _importlib_util.find_spec("tensorflow") is None:
    raise ImportError(
        "ae_lib needs TensorFlow (Keras 3 runs on it), and it is not installed. Install it with\n"
        "  pip install 'tensorflow-cpu>=2.16,<2.22'   (no GPU; or: pip install 'ae_lib[cpu]')\n"
        "  pip install 'tensorflow>=2.16,<2.22'       (GPU machines; or: pip install 'ae_lib[gpu]')")

# Keep TensorFlow's C++ start-up notes out of notebook outputs unless the user asked for them.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
