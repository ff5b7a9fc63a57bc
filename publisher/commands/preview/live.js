// publisher preview: the toolbar (variant switch, previous/next, the article's
// PDF) and the live refresh. Everything it draws lives in a shadow root, so the
// page keeps exactly the web edition's markup and stylesheet and neither styles
// the other.
(() => {
  "use strict";
  const script = document.currentScript;
  let settings = JSON.parse(script.getAttribute("data-preview"));
  let shown = settings.generation;
  let latest = { generation: shown, error: null, pdf: "stale" };

  const host = document.createElement("div");
  host.id = "publisher-preview";
  const shadow = host.attachShadow({ mode: "open" });
  shadow.innerHTML = `
<style>
  :host { all: initial; }
  nav { position: fixed; right: 0.6rem; bottom: 0.6rem; z-index: 2147483647;
        display: flex; gap: 0.6rem; align-items: center; padding: 0.3rem 0.6rem;
        font: 13px/1.4 system-ui, sans-serif; color: #222; background: #f4f4f4ee;
        border: 1px solid #bbb; border-radius: 6px; box-shadow: 0 1px 4px #0003; }
  a { color: #0645ad; text-decoration: none; max-width: 12em; overflow: hidden;
      white-space: nowrap; text-overflow: ellipsis; }
  a:not([href]) { color: #888; }
  [hidden] { display: none !important; }
  #error { position: fixed; top: 0; left: 0; right: 0; z-index: 2147483647; margin: 0;
           padding: 0.8rem 1rem; max-height: 40vh; overflow: auto; white-space: pre-wrap;
           font: 14px/1.5 ui-monospace, monospace; color: #fff; background: #b00020; }
</style>
<pre id="error" role="alert" hidden="hidden"></pre>
<nav aria-label="preview">
  <a id="previous" title="previous page">‹</a>
  <a id="contents" title="contents">☰</a>
  <a id="next" title="next page">›</a>
  <select id="variant" title="variant"></select>
  <a id="pdf" title="this article's PDF" target="_blank">PDF</a>
  <span id="status"></span>
</nav>`;
  const $ = (id) => shadow.getElementById(id);

  function place(element, link, text) {
    if (link) {
      element.setAttribute("href", link.href);
      element.title = link.title;
      element.hidden = false;
      element.textContent = text;
    } else {
      element.hidden = true;
    }
  }

  function drawNavigation() {
    place($("previous"), settings.previous, "‹");
    place($("next"), settings.next, "›");
    $("contents").setAttribute("href", settings.contents);
    const select = $("variant");
    select.replaceChildren(
      ...settings.variants.map((tag) => new Option(tag, tag, false, tag === settings.variant)),
    );
  }

  function drawState() {
    const error = $("error");
    error.hidden = !latest.error;
    error.textContent = latest.error || "";
    const pdf = $("pdf");
    pdf.hidden = !settings.pdf;
    if (latest.pdf === "ready") {
      pdf.setAttribute("href", `${settings.pdf}?g=${latest.generation}`);
      pdf.textContent = "PDF";
      pdf.title = "this article's PDF";
    } else {
      pdf.removeAttribute("href");
      pdf.textContent = latest.pdf === "failed" ? "PDF ✗" : "PDF …";
      pdf.title = latest.pdf === "failed" ? latest.pdf_error || "" : "building the PDF";
    }
    $("status").textContent = latest.error ? "error" : "";
  }

  // Replace the body with the saved version in place: no reload, same scroll position.
  let refreshing = Promise.resolve();
  function refresh(generation) {
    refreshing = refreshing.then(async () => {
      if (generation <= shown) return;
      if (settings.generation < 0) return location.reload(); // an error page: nothing to keep
      const response = await fetch(location.pathname, { cache: "no-store" });
      if (response.status === 404) return location.assign(settings.contents);
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      const freshScript = fresh.querySelector("script[data-preview]");
      if (!freshScript || !fresh.body) return;
      const x = window.scrollX, y = window.scrollY;
      for (const link of document.querySelectorAll("link[rel=stylesheet]")) {
        const url = new URL(link.href);
        url.searchParams.set("g", generation); // a saved stylesheet is fetched again
        link.href = url.href;
      }
      document.title = fresh.title;
      document.body.className = fresh.body.className;
      document.body.replaceChildren(
        ...[...fresh.body.childNodes].map((node) => document.importNode(node, true)),
        host,
      );
      window.scrollTo(x, y);
      settings = JSON.parse(freshScript.getAttribute("data-preview"));
      shown = settings.generation;
      drawNavigation();
      drawState();
    }).catch((error) => console.error("publisher preview:", error));
  }

  $("variant").addEventListener("change", (event) => {
    const page = settings.page ? settings.page : "";
    location.assign(`/${event.target.value}/${page}${location.hash}`);
  });

  // Deferred, but a refresh may run it again: wait for the body if need be.
  function start() {
    document.body.append(host);
    drawNavigation();
    drawState();
    const variant = encodeURIComponent(settings.variant);
    const events = new EventSource(`/_preview/events?variant=${variant}`);
    events.addEventListener("state", (event) => {
      latest = JSON.parse(event.data);
      drawState();
      if (!latest.error && latest.generation > shown) refresh(latest.generation);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
