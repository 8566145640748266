"""``python -m services.cli``: the ``zhijian`` command."""

from services.cli import main

if __name__ == "__main__":
    main()
