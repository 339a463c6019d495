// Warns a signed-in person before an idle session is signed out (accounts/middleware.py),
// and lets them stay signed in. Without JavaScript the session still ends after the idle time;
// the sign-in page then says why.
const banner = document.getElementById("idle-warning");

if (banner) {
  const idleSeconds = Number(banner.dataset.idleSeconds);
  const warnSeconds = Math.min(120, Math.floor(idleSeconds / 2));
  const keepAliveUrl = banner.dataset.keepAliveUrl;
  const button = banner.querySelector("button");
  const left = banner.querySelector("[data-idle-left]");
  let deadline = Date.now() + idleSeconds * 1000;

  const csrfToken = () => {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  };

  const tick = () => {
    const seconds = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    if (seconds === 0) {
      // The server has signed the session out; the next page it serves says so.
      window.location.reload();
      return;
    }
    if (seconds <= warnSeconds) {
      const minutes = Math.ceil(seconds / 60);
      left.textContent = minutes > 1 ? `${minutes} minutes` : `${seconds} seconds`;
      banner.hidden = false;
    }
    window.setTimeout(tick, 1000);
  };

  button.addEventListener("click", async () => {
    const response = await fetch(keepAliveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
    });
    if (!response.ok || response.redirected) {
      window.location.reload();
      return;
    }
    const body = await response.json();
    deadline = Date.now() + body.idle_seconds * 1000;
    banner.hidden = true;
  });

  window.setTimeout(tick, 1000);
}
