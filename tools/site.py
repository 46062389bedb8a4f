"""The offline course site (issue 10, item 3) is not built yet: this placeholder says so."""
import sys

if __name__ == "__main__":
    sys.exit("course.py site is not implemented yet (issue 10, item 3).")
