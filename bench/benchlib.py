"""Helpers shared by the bench drivers (bench/run, bench/quality)."""
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def build():
    """Installs what is missing, builds the Release nightjar binary, returns its path."""
    sh([os.path.join(ROOT, "scripts", "setup")])
    sh(["cmake", "-S", ROOT, "-B", os.path.join(ROOT, "build"), "-G", "Ninja",
        "-DCMAKE_BUILD_TYPE=Release"], stdout=subprocess.DEVNULL)
    sh(["cmake", "--build", os.path.join(ROOT, "build"), "--target", "nightjar"],
       stdout=subprocess.DEVNULL)
    return os.path.join(ROOT, "build", "nightjar")
