# The two commands of the README:
#   make book   set up .venv (or reuse it) and build the rendered book into _build/html
#   make test   set up .venv (or reuse it) and run every test
# Others: make bench (benchmarks), make exercises (regenerate exercises/ from solutions/).

PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: book test bench exercises install clean

book: $(STAMP)
	$(VENV)/bin/jupyter-book build --all --warningiserror --keep-going .
	@echo "Open _build/html/index.html in a browser."

# Two pytest workers on two cores: one BLAS/OpenMP thread each.  (With the
# default two threads per process, OpenBLAS's spinning threads fight the other
# worker and a NumPy training loop runs 5-10 times slower.)
test: $(STAMP)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(PY) -m pytest -n 2 --dist loadfile

bench: $(STAMP)
	$(PY) benchmarks/run.py

exercises: $(STAMP)
	$(PY) tools/generate_exercises.py

install: $(STAMP)

# Re-install when the package's requirements change.
$(STAMP): pyproject.toml constraints.txt tools/install-torch.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	tools/install-torch.sh $(PY)
	$(PY) -m pip install --quiet -c constraints.txt -e ".[all]"
	touch $(STAMP)

clean:
	rm -rf _build .pytest_cache
