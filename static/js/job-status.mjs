// A job page (a whole-record PDF, a large report export) that is still waiting or running
// asks its own address again every few seconds and puts the new status in place: the person
// sees the progress and then the download without reloading. Only the status region changes,
// and only a short sentence is announced (aria-live), so a screen reader is not sent back to
// the top of the page. Without JavaScript the page says "Refresh this page" instead.

const EVERY_MS = 2500;
const GIVE_UP_AFTER = 720; // about half an hour: the person can still refresh by hand

export function watchJob(region) {
  let asked = 0;
  const url = window.location.href;

  async function poll() {
    asked += 1;
    try {
      const response = await fetch(url, {
        headers: { Accept: "text/html" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (!response.ok) {
        return; // signed out, or the job is gone: leave the page as it is
      }
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById(region.id);
      if (!fresh) {
        return;
      }
      region.replaceChildren(...Array.from(fresh.childNodes, (node) => document.importNode(node, true)));
      if (fresh.dataset.resolveJob !== "pending") {
        region.dataset.resolveJob = fresh.dataset.resolveJob || "finished";
        const announce = document.getElementById(`${region.id}-announce`);
        if (announce) {
          announce.textContent = fresh.dataset.resolveJobMessage || "";
        }
        return;
      }
    } catch {
      // a dropped connection: try again at the next tick
    }
    if (asked < GIVE_UP_AFTER) {
      window.setTimeout(poll, EVERY_MS);
    }
  }

  window.setTimeout(poll, EVERY_MS);
}

for (const region of document.querySelectorAll('[data-resolve-job="pending"]')) {
  watchJob(region);
}
