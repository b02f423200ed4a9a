"""Coverage-guided fuzzing of every parser (atheris), seeded from the real samples in ../shared."""
