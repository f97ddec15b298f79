"""`python -m storyline` runs the command-line interface."""

from storyline.cli import main

main()
