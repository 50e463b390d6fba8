"""The part of the grader that runs inside the sandbox, beside the submission.

Nothing here decides a verdict. :mod:`.runner` runs the submitted notebook in a
kernel and, when the grader asks, calls one of the notebook's functions through
:mod:`.kernel`; :mod:`.plain` turns arguments and results into plain data (JSON
with arrays as raw bytes) in both directions. The grader outside reads those
results as data and decides.

These modules are mounted read-only into the sandbox as the package
``grading_inside``; they import only the standard library, NumPy and
jupyter_client, and each other only relatively.
"""
