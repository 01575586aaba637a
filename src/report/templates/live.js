// The live page: applies each state the server sends (server-sent events,
// one whole state each time, so a late or slow browser only ever needs
// the latest) and, when the run is over, becomes the report. Text from the
// run is only ever set as text, never parsed as HTML.
(function () {
  "use strict";
  const token = new URLSearchParams(window.location.search).get("token");
  const query = token ? "?token=" + encodeURIComponent(token) : "";
  const number = new Intl.NumberFormat("en-US");
  // Every state applied, for whoever wants to see the figures grow (the
  // browser test reads it).
  window.cablesimStates = [];
  let previous = null;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setCount(id, value) {
    const node = document.getElementById(id);
    if (node && node.dataset.value !== String(value)) {
      node.dataset.value = String(value);
      node.textContent = number.format(value);
    }
  }

  function applyNodes(state) {
    const before = new Map((previous ? previous.nodes : []).map((n) => [n.name, n]));
    for (const node of state.nodes) {
      const mark = document.querySelector('.node[data-node="' + CSS.escape(node.name) + '"]');
      const edge = document.querySelector('.edge[data-link="' + CSS.escape(node.name) + '"]');
      const was = before.get(node.name);
      const busy = !!was && (was.sent !== node.sent || was.received !== node.received);
      if (mark) {
        mark.classList.toggle("connected", node.connected);
        mark.classList.toggle("active", busy);
      }
      if (edge) edge.classList.toggle("active", busy);
    }
  }

  function figure(kind, value, label) {
    const box = el("div", kind);
    const b = el("b", null, number.format(value));
    b.dataset.count = kind;
    b.dataset.value = String(value);
    box.append(b, el("span", null, label));
    return box;
  }

  function applyActors(state) {
    const holder = document.getElementById("actors");
    if (state.actors.length === 0) return;
    holder.replaceChildren();
    for (const actor of state.actors) {
      const box = el("div", "actor haul");
      box.dataset.actor = actor.actor;
      box.append(el("h3", null, actor.actor));
      const figures = el("div", "figures");
      figures.append(
        figure("content", actor.content, "cables read"),
        figure("routing", actor.routing, "headers seen"),
        figure("traffic", actor.traffic, "encrypted records seen"),
      );
      box.append(figures);
      if (actor.by_classification.length > 0) {
        box.append(
          el(
            "p",
            "levels",
            actor.by_classification
              .map((l) => l.level + " " + number.format(l.content) + " read, " + number.format(l.routing) + " seen")
              .join(" · "),
          ),
        );
      }
      if (actor.newest.length > 0) {
        const list = el("ul", "newest");
        const known = new Set(previousNewest(actor.actor));
        for (const leak of actor.newest.slice().reverse()) {
          const item = el("li", known.has(leak.cable) ? null : "fresh");
          item.append(el("span", "tag", leak.cable), " ");
          item.append(el("span", "level " + leak.classification, leak.classification));
          item.append(" " + leak.via);
          list.append(item);
        }
        box.append(el("p", "note", "Newest cables read, with the evidence:"), list);
      }
      holder.append(box);
    }
  }

  function previousNewest(actor) {
    if (!previous) return [];
    const was = previous.actors.find((a) => a.actor === actor);
    return was ? was.newest.map((l) => l.cable) : [];
  }

  function applyAlarms(state) {
    setCount("count-alarms", state.alarms.total);
    if (state.alarms.total === 0) return;
    const box = document.getElementById("alarms");
    const note = box.querySelector("p.note");
    if (note) note.textContent = number.format(state.alarms.total) + " alarms; the latest:";
    const seen = previous ? previous.alarms.total : 0;
    const list = box.querySelector("ul");
    list.replaceChildren();
    const recent = state.alarms.recent;
    recent.forEach((alarm, i) => {
      const fresh = state.alarms.total - (recent.length - i) >= seen;
      const item = el("li", fresh ? "fresh" : null);
      item.append(el("span", "attack tag", alarm.attack || "no ATT&CK id"), " ");
      item.append(el("b", null, alarm.kind), " at " + alarm.node + ", day " + alarm.day + ": " + alarm.detail);
      list.prepend(item);
    });
  }

  function applyStory(state) {
    const story = state.story;
    const box = document.getElementById("story");
    if (!story) return;
    box.hidden = false;
    box.replaceChildren(el("h2", null, story.title));
    for (const section of story.sections) {
      if (section.title !== story.title) box.append(el("h3", null, section.title));
      for (const paragraph of section.text.split("\n\n")) box.append(el("p", null, paragraph));
    }
    if (story.columns.length > 0) {
      const table = el("table", "mitigations");
      const head = el("tr");
      for (const column of story.columns) head.append(el("th", null, column));
      table.append(head);
      for (const row of story.rows) {
        const line = el("tr");
        row.forEach((cell, i) => line.append(el("td", i === 0 ? null : "n", cell)));
        table.append(line);
      }
      for (const pending of story.pending) {
        const line = el("tr");
        line.append(el("td", "pending", pending + " (running)"));
        for (let i = 1; i < story.columns.length; i++) line.append(el("td", "pending", "…"));
        table.append(line);
      }
      box.append(table);
    }
  }

  function apply(state) {
    // Only what changed is written: every write costs the browser a new
    // layout, on cores the run needs.
    if (document.body.dataset.phase !== state.phase) {
      document.body.dataset.phase = state.phase;
      document.getElementById("phase").textContent = state.phase;
    }
    setCount("day", state.day);
    setCount("count-sent", state.counts.sent);
    setCount("count-relayed", state.counts.relayed);
    setCount("count-deliveries", state.counts.deliveries);
    // Only a hub's page hears of refused peers; shown once there is one.
    setCount("count-refused", state.counts.refused);
    const refused = document.getElementById("refused");
    if (refused.hidden !== (state.counts.refused === 0)) refused.hidden = state.counts.refused === 0;
    applyNodes(state);
    // Rebuilt only when they changed: a page on the machine that runs the
    // network shares its cores, and every repaint is taken from the run.
    const same = (part) => previous && JSON.stringify(previous[part]) === JSON.stringify(state[part]);
    if (!same("actors")) applyActors(state);
    if (!same("alarms")) applyAlarms(state);
    if (!same("story")) applyStory(state);
    const content = state.actors.reduce((sum, a) => sum + a.content, 0);
    window.cablesimStates.push({
      seq: state.seq,
      day: state.day,
      sent: state.counts.sent,
      content: content,
      alarms: state.alarms.total,
    });
    previous = state;
  }

  // The end: the final figures are on the page; now it becomes the report,
  // in place (the same document, so nothing above is lost). A demo's story
  // and table stay, under the report.
  function becomeReport() {
    fetch("report" + query)
      .then((response) => {
        if (!response.ok) throw new Error("the report: HTTP " + response.status);
        return response.text();
      })
      .then((html) => {
        const report = new DOMParser().parseFromString(html, "text/html");
        const story = document.getElementById("story");
        for (const part of ["header", "main", "footer"]) {
          const mine = document.querySelector("body > " + part);
          const theirs = report.querySelector("body > " + part);
          if (mine && theirs) mine.replaceWith(document.adoptNode(theirs));
        }
        if (story && !story.hidden) document.querySelector("body > main").append(story);
        document.title = report.title;
        window.scrollTo(0, 0);
      })
      .catch((error) => {
        document.getElementById("phase").textContent = "done (" + error.message + ")";
      });
  }

  // The stream opens once the page is on the screen: a run started with
  // --web-wait begins then, and the room sees the map before day 0 (and
  // the browser's first drawing does not compete with the run).
  function listen() {
    const source = new EventSource("events" + query);
    source.addEventListener("state", (event) => {
      const state = JSON.parse(event.data);
      apply(state);
      if (state.phase === "done" && state.report) {
        source.close();
        becomeReport();
      }
    });
    source.addEventListener("error", () => {
      if (document.body.dataset.phase !== "done") {
        document.body.dataset.phase = "reconnecting";
        document.getElementById("phase").textContent = "reconnecting";
      }
    });
  }
  window.addEventListener("load", () => requestAnimationFrame(() => setTimeout(listen, 0)));
})();
