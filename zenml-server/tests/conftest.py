import os
import sys

# The launcher and the bootstrap script are plain files shipped in a ConfigMap, not a package.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
