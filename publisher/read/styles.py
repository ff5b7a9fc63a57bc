"""The look, kept out of the code: stylesheets, templates and font choices in ``styles/``.

Writers ask this object for what they need and hold no CSS and no font names
themselves, so a designer can change the look without reading Python.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Any

from publisher import DEFAULT_STYLES
from publisher.base import yamltext
from publisher.base.atomic import atomic_target
from publisher.base.errors import BuildError
from publisher.base.limits import running_head
from publisher.base.pandoc import pandoc_version

if TYPE_CHECKING:
    import jinja2


class Styles:
    """A styles folder: ``print.css``, ``epub.css``, ``templates/``, the DOCX reference script.

    A folder of one's own (``--styles``, edition.yaml ``styles:``) need hold only the
    files it changes: each file it lacks is the default styles' (:meth:`borrowed`
    names them, for the note a build prints)."""

    def __init__(self, folder: Path = DEFAULT_STYLES) -> None:
        self.folder = Path(folder).resolve()
        self.defaults = DEFAULT_STYLES.resolve()

    def file(self, name: str) -> Path:
        path = self.folder / name
        if not path.is_file() and (self.defaults / name).is_file():
            return self.defaults / name
        if not path.is_file():
            raise BuildError(f"{path}: the styles file is missing; restore it from the repository")
        return path

    def borrowed(self) -> list[str]:
        """The default styles' files this folder lacks, and so takes from them."""
        if self.folder == self.defaults:
            return []
        return sorted(
            path.relative_to(self.defaults).as_posix()
            for path in self.defaults.rglob("*")
            if path.is_file()
            and "__pycache__" not in path.parts
            and not (self.folder / path.relative_to(self.defaults)).is_file()
        )

    @property
    def templates(self) -> jinja2.Environment:
        return _templates(self.folder)

    def render(self, template: str, **context: Any) -> str:
        # load time: Jinja only when a template is rendered
        import jinja2

        try:
            return self.templates.get_template(template).render(**context)
        except jinja2.TemplateNotFound:
            raise BuildError(
                f"{self.folder / 'templates' / template}: the template is missing, here and "
                "in the default styles"
            ) from None

    def fallback_faces(self, name: str) -> list[str]:
        """The faces after a variant's own for what it lacks (``fallback`` in ``name``:
        epub.yaml, docx-fonts.yaml), against which a format's characters are checked."""
        design = yamltext.load(self.file(name).read_text(encoding="utf-8"))
        return [str(face) for face in design.get("fallback", [])]

    def docx_fonts(self, variant: str, overrides: dict[str, str] | None = None) -> dict[str, str]:
        """The variant's DOCX fonts from docx-fonts.yaml, with the edition's ``overrides``."""
        table = yamltext.load(self.file("docx-fonts.yaml").read_text(encoding="utf-8"))
        if variant not in table:
            raise BuildError(f"{self.file('docx-fonts.yaml')}: no fonts for {variant}; add them")
        return {**table[variant], **(overrides or {})}

    def docx_reference(
        self,
        variant: str,
        cache: Path,
        *,
        fonts: dict[str, str] | None = None,
        page: dict[str, float] | None = None,
        look: dict[str, object] | None = None,
    ) -> Path:
        """The variant's reference DOCX, made by ``docx_reference.py`` and cached.

        ``fonts`` replace those of docx-fonts.yaml (the edition's choice);
        ``page`` is the page size and margins in millimetres; ``look`` the edition's
        ``style:`` (writers/look.py's docx_look), passed only when set, so that a
        styles folder's own script of an earlier kind still works without it.
        """
        script = self.file("docx_reference.py")
        fonts = self.docx_fonts(variant, fonts)
        page = dict(page or {})
        look = dict(look or {})
        # pandoc's version too: the reference starts from pandoc's own default.
        seed = (
            script.read_bytes()
            + repr(
                (sorted(fonts.items()), sorted(page.items()), pandoc_version())
                + ((sorted(look.items()),) if look else ())
            ).encode()
        )
        key = hashlib.sha256(seed).hexdigest()
        target = cache / f"reference-{key[:16]}.docx"
        if not target.is_file():
            spec = importlib.util.spec_from_file_location("publisher_docx_reference", script)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            with atomic_target(target) as temporary:
                if look:
                    module.build(temporary, fonts, page, look=look)
                else:
                    module.build(temporary, fonts, page)
        return target.resolve()


@functools.cache
def _templates(folder: Path) -> jinja2.Environment:
    """The templates of a styles folder, one environment per process: each unit makes
    its own Styles, and would compile every template again (a tenth of an EPUB unit).
    Jinja reloads a template whose file has changed since (a watch's workers live on)."""
    import jinja2  # not at import: a build with nothing to write renders no template

    # A template the folder lacks is the default styles' (Styles.file's rule).
    folders = list(dict.fromkeys([folder / "templates", DEFAULT_STYLES.resolve() / "templates"]))
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.filters["running_head"] = running_head
    return environment
