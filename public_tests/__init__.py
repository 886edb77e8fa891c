"""Public tests, one module per assignment: `from public_tests.C1W2A1 import *` gives `sigmoid_test(sigmoid)` etc."""
