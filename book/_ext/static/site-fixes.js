/* Fixes to the theme's behaviour (book/_ext/site_fixes.py adds this to every page, deferred).
 * The theme stack is sphinx-book-theme 1.3.0 on pydata-sphinx-theme 0.17.1. */
(() => {
  "use strict";

  /* Menus. The theme attaches its handlers (open the chapter list or the page's contents as
   * a dialog below 992 px; collapse the chapter list above) to the FIRST .primary-toggle
   * and .secondary-toggle of the page. Those sit in a header that sphinx-book-theme hides,
   * so the buttons a reader sees did nothing. Their clicks go to the bound buttons; each
   * menu gets a close button when it opens as a dialog, and the buttons say whether their
   * menu is open (aria-expanded). */
  const MENUS = {
    primary: {sidebar: "pst-primary-sidebar", dialog: "pst-primary-sidebar-modal",
              close: "Close the chapter list"},
    secondary: {sidebar: "pst-secondary-sidebar", dialog: "pst-secondary-sidebar-modal",
                close: "Close the contents of this page"},
  };

  const menuIsOpen = (menu) => {
    const dialog = document.getElementById(menu.dialog);
    if (dialog && dialog.open) return true;
    const sidebar = document.getElementById(menu.sidebar);
    if (!sidebar || !window.matchMedia("(min-width: 992px)").matches) return false;
    return !sidebar.classList.contains("pst-sidebar-hidden") &&
      getComputedStyle(sidebar).display !== "none";
  };

  const setUpMenu = (kind) => {
    const menu = MENUS[kind];
    const toggles = Array.from(document.querySelectorAll(`.${kind}-toggle`));
    const sidebar = document.getElementById(menu.sidebar);
    const dialog = document.getElementById(menu.dialog);
    if (toggles.length === 0 || !sidebar) return;
    const [bound, ...visible] = toggles;
    const sync = () => visible.forEach((button) => {
      button.setAttribute("aria-expanded", String(menuIsOpen(menu)));
    });
    visible.forEach((button) => {
      button.setAttribute("aria-controls", menu.sidebar);
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopImmediatePropagation();
        bound.click();
        sync();
      });
    });
    // The theme moves the sidebar's content into the dialog and back, so the close button
    // lives in the sidebar and shows only inside the dialog (site-fixes.css).
    const close = document.createElement("button");
    close.type = "button";
    close.className = "ae-close-menu";
    close.setAttribute("aria-label", menu.close);
    close.innerHTML = '<span aria-hidden="true">&times;</span>';
    close.addEventListener("click", () => {
      const open = close.closest("dialog");
      if (open) open.close();
      sync();  // at once: the dialog's "close" event comes a moment later
    });
    sidebar.prepend(close);
    if (dialog) dialog.addEventListener("close", sync);
    window.addEventListener("resize", sync);
    sync();
  };

  /* Solution toggles. sphinx-togglebutton finds the toggle from the clicked element, and
   * knows only the title itself, its button and the button's icon: a click on anything
   * else in a title (the link in "Solution to Exercise ...", code, math) threw
   * "ReferenceError: button is not defined", and the link jumped to the exercise instead.
   * Links in toggle titles become plain text, and a click anywhere in a title works the
   * button. */
  const TITLE = ".admonition.dropdown > .admonition-title, .admonition.toggle > .admonition-title";

  const setUpToggles = () => {
    document.querySelectorAll(`${TITLE.split(", ").map((t) => `${t} a`).join(", ")}`)
      .forEach((link) => link.replaceWith(...link.childNodes));
    document.addEventListener("click", (event) => {
      const title = event.target.closest && event.target.closest(TITLE);
      if (!title || event.target === title || event.target.closest(".toggle-button")) return;
      const button = title.querySelector(".toggle-button");
      if (!button) return;
      event.preventDefault();
      event.stopPropagation();
      button.click();
    }, true);
  };

  /* Search snippets. Sphinx's search shows the text around a match, taken from the page;
   * a formula's text there is KaTeX's MathML, whose annotation is the TeX source. The
   * snippet keeps what the reader sees instead. */
  const setUpSearchSnippets = () => {
    if (typeof Search === "undefined" || !Search.htmlToText) return;
    const htmlToText = Search.htmlToText;
    Search.htmlToText = (htmlString, anchor) => {
      const page = new DOMParser().parseFromString(htmlString, "text/html");
      page.querySelectorAll(".katex-mathml").forEach((element) => element.remove());
      return htmlToText(page.documentElement.outerHTML, anchor);
    };
  };

  /* Explorers' frames. site_fixes.py moves each explorer's frames into a script file of its
   * own (data-src on its empty frames block), so that a page does not download every frame
   * before it can show. They load when the explorer comes near the screen, or when a control
   * first moves (the explorer's script then calls this with its own redraw). */
  const framesLoading = {};
  window.aeLoadExplorerFrames = (uid, then) => {
    if (!framesLoading[uid]) {
      const holder = document.getElementById(`${uid}-frames`);
      if (!holder || !holder.dataset.src) return;
      framesLoading[uid] = new Promise((resolve) => {
        const script = document.createElement("script");
        script.src = holder.dataset.src;
        script.addEventListener("load", resolve);
        document.head.appendChild(script);
      });
    }
    if (then) framesLoading[uid].then(then);
  };
  const prefetchExplorerFrames = () => {
    const holders = document.querySelectorAll(".ae-explorer script[data-src]");
    if (!holders.length || !("IntersectionObserver" in window)) return;
    const observer = new IntersectionObserver((entries) => {
      entries.filter((entry) => entry.isIntersecting).forEach((entry) => {
        observer.unobserve(entry.target);
        window.aeLoadExplorerFrames(entry.target.id);
      });
    }, {rootMargin: "800px 0px"});
    holders.forEach((holder) => observer.observe(holder.closest(".ae-explorer")));
  };

  setUpToggles();
  setUpSearchSnippets();
  const ready = () => {
    setUpMenu("primary");
    setUpMenu("secondary");
    prefetchExplorerFrames();
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
