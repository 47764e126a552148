"""Build hook: compile the near path of ticker dedup (`workers/core/dedup/_nearpath.pyx`).

Hatchling runs this for the wheel target, editable installs included (`pip install -e .`,
what `make` does). Cython turns the .pyx into C and setuptools' `build_ext` compiles it in
place, next to the .pyx: an editable install imports it from the source tree, and a wheel
carries it as an artifact (the built files are git-ignored, so hatchling would skip them).

Without a C compiler or the Python headers the build still succeeds, with a warning:
`workers.core.dedup.line_match` then runs the pure-Python reference, which makes the same
decisions more slowly (docs/benchmarks.md has the ratio), and
`tests/unit/test_nearpath.py::test_kernel_is_built` fails, so a machine that should have
the kernel does not go unnoticed. With RAQIB_REQUIRE_KERNEL=1 (the Docker image's build
stage) a kernel that cannot be built fails the build instead.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

MODULE = "workers.core.dedup._nearpath"
SOURCE = "workers/core/dedup/_nearpath.pyx"


def build_in_place(root: Path) -> list[Path]:
    """Compile `SOURCE` into an extension module next to it; return the files made."""
    from Cython.Build import cythonize  # noqa: PLC0415 - build requirement, only here
    from setuptools import Distribution, Extension  # noqa: PLC0415

    here = Path.cwd()
    os.chdir(root)  # setuptools works with paths relative to the project
    try:
        extension = Extension(MODULE, [SOURCE], extra_compile_args=["-O2"])
        modules = cythonize([extension], quiet=True, build_dir="build/cython", language_level=3)
        dist = Distribution({"name": "raqib-nearpath", "ext_modules": modules, "script_name": "hatch_build.py"})
        command = dist.get_command_obj("build_ext")
        command.inplace = True  # type: ignore[attr-defined]
        command.build_temp = "build/temp"  # type: ignore[attr-defined]
        dist.run_command("build_ext")
        folder = root / Path(SOURCE).parent
        return sorted(folder.glob("_nearpath.*.so")) + sorted(folder.glob("_nearpath.*.pyd"))
    finally:
        os.chdir(here)


class NearPathBuildHook(BuildHookInterface):  # type: ignore[misc]
    """Compile the near path for wheels and editable installs; never fail the build."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        required = os.environ.get("RAQIB_REQUIRE_KERNEL") == "1"
        try:
            built = build_in_place(Path(self.root))
        except Exception as exc:  # any failure means: ship the pure-Python path (unless required)
            message = f"raqib: the compiled near path was not built ({exc!r}); dedup runs in pure Python"
            if required:
                raise RuntimeError(message) from exc
            print(message, file=sys.stderr)
            return
        if not built:
            if required:
                raise RuntimeError("raqib: the compiled near path was not built (no extension module came out)")
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        build_data["artifacts"].extend(path.relative_to(self.root).as_posix() for path in built)
