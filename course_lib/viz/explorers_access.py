"""Keyboard and screen-reader support of the explorers in the browser (a small anywidget module).

An :class:`AccessBridge` sits, invisible, at the end of every explorer shown with ipympl. In the browser it:

- lets Tab and Shift+Tab pass the figure: ipympl's canvas is focusable and cancels every key it receives,
  Tab included (a keyboard trap); the canvas leaves the Tab order (a click still focuses it for matplotlib's
  own keys) and a Tab pressed on it is passed on to the browser;
- gives the figure the role of an image named by its title and described by the text beside it;
- keeps the keys pressed on a control for that control (``data-lm-suppress-shortcuts``): Jupyter Notebook 7
  otherwise handles the arrow keys of a focused slider as notebook shortcuts before the slider sees them;
- names every control by what it sets (the slider handles, Play/Pause/Stop, check boxes, drop-downs) and makes
  a slider announce the value its readout shows (a log slider says 0.1, not its exponent -1);
- reads the text description out politely (``aria-live="polite"``) once the figure has settled for a moment,
  never once per frame while Play runs.
"""

from __future__ import annotations

import anywidget
import traitlets

__all__ = ["AccessBridge"]

_ESM = r"""
const SETTLE_MS = 900;
const PLAY_NAMES = {
  "fa-play": "play (animate the run step by step)",
  "fa-pause": "pause the animation",
  "fa-stop": "stop the animation and go back to the first step",
  "fa-repeat": "repeat the animation",
  "fa-retweet": "repeat the animation",
};

function setAttr(node, name, value) {
  if (node && value && node.getAttribute(name) !== value) node.setAttribute(name, value);
}

function ownNodes(root, selector) {
  // the explorer's own controls, not those of an explorer nested inside it
  return Array.from(root.querySelectorAll(selector)).filter((n) => n.closest(".course-explorer") === root);
}

function nameOf(widgetNode) {
  // ipywidgets puts a described control's tooltip on its label
  const label = widgetNode.querySelector(".widget-label, .widget-label-basic");
  return (label && label.title) || widgetNode.getAttribute("title") || (label ? label.textContent.trim() : "");
}

function render({ model, el }) {
  el.classList.add("course-access");
  el.style.cssText = "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);";
  const live = document.createElement("div");
  live.setAttribute("aria-live", "polite");
  live.setAttribute("role", "status");
  el.appendChild(live);
  const statusId = "course-status-" + Math.random().toString(36).slice(2);
  let root = null;
  let timer = null;
  let lastSpoken = "";
  let scheduled = false;

  const speak = () => {
    const status = root && ownNodes(root, ".course-explorer-status")[0];
    const text = status ? status.textContent.trim() : "";
    if (text && text !== lastSpoken) {
      lastSpoken = text;
      live.textContent = text;
    }
  };
  const settleThenSpeak = () => {
    clearTimeout(timer);
    timer = setTimeout(speak, SETTLE_MS); // every new frame restarts the wait: Play never floods
  };
  const onTabKey = (event) => {
    if (event.key === "Tab" && event.target.closest && event.target.closest(".jupyter-matplotlib-canvas-div")) {
      event.stopPropagation(); // ipympl's own handler would cancel the Tab: let the browser move the focus
    }
  };

  const apply = () => {
    scheduled = false;
    root = el.closest(".course-explorer");
    if (!root) return;
    if (!root.dataset.courseAccess) {
      root.dataset.courseAccess = "1";
      root.addEventListener("keydown", onTabKey, true);
      root.setAttribute("role", "group");
    }
    setAttr(root, "aria-label", "interactive figure: " + model.get("figure_label"));
    for (const status of ownNodes(root, ".course-explorer-status")) {
      setAttr(status, "id", status.id || statusId);
    }
    const status = ownNodes(root, ".course-explorer-status")[0];
    for (const div of ownNodes(root, ".jupyter-matplotlib-canvas-div")) {
      setAttr(div, "tabindex", "-1");
      setAttr(div, "role", "img");
      setAttr(div, "aria-label", model.get("figure_label"));
      if (status) setAttr(div, "aria-describedby", status.id);
    }
    // Keys pressed on a control belong to it: without this, Jupyter Notebook 7 takes the arrow keys of a focused
    // slider as notebook shortcuts (its shortcut handler runs before the slider's own), so they do nothing.
    const focusable = ".noUi-handle, .widget-readout, input, select, button";
    for (const control of ownNodes(root, ".widget-slider, .widget-checkbox, .widget-dropdown, .widget-play")) {
      for (const node of control.querySelectorAll(focusable)) setAttr(node, "data-lm-suppress-shortcuts", "true");
    }
    for (const slider of ownNodes(root, ".widget-slider")) {
      const handle = slider.querySelector(".noUi-handle");
      const readout = slider.querySelector(".widget-readout");
      setAttr(handle, "aria-label", nameOf(slider));
      if (readout && readout.isContentEditable) setAttr(readout, "aria-label", nameOf(slider) + ": type a value");
      if (handle && readout) setAttr(handle, "aria-valuetext", readout.textContent.trim());
    }
    for (const box of ownNodes(root, ".widget-checkbox")) {
      setAttr(box.querySelector("input"), "aria-label", nameOf(box));
    }
    for (const drop of ownNodes(root, ".widget-dropdown")) {
      setAttr(drop.querySelector("select"), "aria-label", nameOf(drop));
    }
    for (const play of ownNodes(root, ".widget-play")) {
      for (const button of play.querySelectorAll("button")) {
        const icon = button.querySelector("i");
        const key = icon && Object.keys(PLAY_NAMES).find((k) => icon.classList.contains(k));
        if (key) {
          setAttr(button, "aria-label", PLAY_NAMES[key]);
          setAttr(button, "title", PLAY_NAMES[key]);
        }
      }
    }
  };
  const schedule = (mutations) => {
    if (mutations && mutations.every((m) => el.contains(m.target))) return;
    if (mutations && mutations.some((m) => m.target.closest && m.target.closest(".course-explorer-status")
        || (m.target.parentElement && m.target.parentElement.closest(".course-explorer-status")))) {
      settleThenSpeak();
    }
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(apply);
    }
  };
  const observer = new MutationObserver(schedule);
  const start = () => {
    root = el.closest(".course-explorer");
    if (!root) return setTimeout(start, 100);
    observer.observe(root, { subtree: true, childList: true, characterData: true });
    apply();
    lastSpoken = (ownNodes(root, ".course-explorer-status")[0] || { textContent: "" }).textContent.trim();
  };
  start();
  model.on("change:figure_label", () => schedule());
  return () => {
    observer.disconnect();
    clearTimeout(timer);
    if (root) root.removeEventListener("keydown", onTabKey, true);
  };
}
export default { render };
"""


class AccessBridge(anywidget.AnyWidget):
    """The invisible helper of an explorer in the browser (see the module docstring)."""

    _esm = _ESM
    figure_label = traitlets.Unicode("figure").tag(sync=True)
