# Two commands (see README): `make lab` opens the course, `make test` runs every test.
# Both create .venv on first use; course.py does the work, so Windows users can run
# `python course.py lab` / `python course.py test` without make.
PYTHON ?= python3

.PHONY: lab test timings setup execute site workshop slides checkpoints
lab:
	$(PYTHON) course.py lab $(ARGS)
test:
	$(PYTHON) course.py test $(ARGS)
timings:  # every notebook's run time and peak memory -> results/timings.json, README and docs/instructor.md
	$(PYTHON) course.py timings $(ARGS)
setup:
	$(PYTHON) course.py setup
execute:  # make execute NB=notebooks/01_attention.ipynb
	$(PYTHON) course.py execute $(NB)
site:  # the offline static site of the executed notebooks, in _site/ (make site ARGS="--out DIR")
	$(PYTHON) course.py site $(ARGS)
workshop:  # workshop copies (workshop/, committed) and lecture slides (_slides/, build output); see docs/instructor.md
	$(PYTHON) course.py workshop $(ARGS)
slides:  # only the reveal.js slides, in _slides/
	$(PYTHON) course.py workshop --slides-only $(ARGS)
checkpoints:  # pre-train every course model once, before class, and print their checksums
	$(PYTHON) course.py checkpoints $(ARGS)
