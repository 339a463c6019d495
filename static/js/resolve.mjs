// Progressive enhancement only: every page works without this file.
import { initAll } from "/static/govuk/govuk-frontend.min.js";
import "./job-status.mjs";

document.body.classList.add("govuk-frontend-supported");
initAll();
