# Two commands do everything on a fresh machine (Python >= 3.11):
#   make demo   set up, build the student release, execute the reference notebooks, autograde a demo class
#   make test   set up and run all tests
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: setup demo test lab build
setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python >= 3.11 is needed (nbgrader 0.9.6)"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -c 'import pathlib, sysconfig; pathlib.Path(sysconfig.get_paths()["purelib"], "coursekit.pth").write_text("$(CURDIR)\n$(CURDIR)/utils\n")'
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (ipykernel)" >/dev/null
	touch $@

demo: setup
	$(PY) -m coursekit demo

test: setup
	$(PY) -m pytest -q

build: setup
	$(PY) -m coursekit build

lab: setup
	$(VENV)/bin/jupyter lab notebooks/
