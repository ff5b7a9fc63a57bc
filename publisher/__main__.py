from .cli import main

# Guarded: a LocalCluster's worker processes start by importing the main module.
if __name__ == "__main__":
    main()
