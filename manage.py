#!/usr/bin/env python
from town311.__main__ import main

if __name__ == "__main__":
    main()
