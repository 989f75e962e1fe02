"""Page styles: compact enough for a 1366×768 laptop screen without horizontal scrolling."""

CSS = """
.v-application .v-navigation-drawer { width: 330px !important; }
.md-side .v-card__title { font-size: 1rem; padding: 8px 12px 2px 12px; }
.md-side .v-card__text, .md-side .v-card > div { padding-top: 0; }
.md-side-card { margin-bottom: 6px !important; }
.md-help { font-size: 0.75rem; color: #444; line-height: 1.25; margin: -2px 0 8px 0; }
.md-pending, .md-feedback, .md-message { font-size: 0.8rem; background: #fff4d6; border-left: 3px solid #E69F00;
    padding: 4px 8px; margin: 4px 0 8px 0; }
.md-feedback { background: #eef6fb; border-left-color: #0072B2; }
.md-main { max-width: 100%; overflow-x: hidden; }
.md-status { font-size: 0.95rem; color: #222; }
.md-status-main { font-weight: 500; }
.md-queued { color: #8a5a00; }
.md-tiles { display: flex; flex-wrap: wrap; gap: 6px; }
.md-tile { flex: 1 1 120px; min-width: 112px; border: 1px solid #d8d8d8; border-radius: 6px; padding: 4px 8px;
    background: #fafafa; }
.md-tile.md-good { border-left: 4px solid #009E73; }
.md-tile.md-short { border-left: 4px solid #E69F00; }
.md-tile-label { font-size: 0.72rem; color: #555; text-transform: uppercase; letter-spacing: 0.02em; }
.md-tile-value { font-size: 1.15rem; font-weight: 600; color: #111; }
.md-tile-detail { font-size: 0.7rem; color: #555; line-height: 1.2; }
.md-view { contain: layout paint; width: 100%; }
.md-view .md-tiles { margin: 4px 0 8px 0; }
.md-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 8px; width: 100%; }
.md-card { border: 1px solid #e2e2e2; border-radius: 6px; padding: 4px; min-width: 0; background: #fff; }
.md-chart { width: 100%; min-width: 0; }
.md-chart svg { width: 100%; height: auto; }
.md-log-wrap { max-height: 430px; overflow-y: auto; overflow-x: hidden; }
.md-log { border-collapse: collapse; width: 100%; font-size: 0.8rem; table-layout: fixed; }
.md-log th { position: sticky; top: 0; background: #f0f0f0; text-align: left; padding: 4px; }
.md-log td { border-top: 1px solid #e6e6e6; padding: 3px 4px; vertical-align: top; overflow-wrap: anywhere; }
.md-log th:nth-child(1) { width: 80px; }
.md-log th:nth-child(2) { width: 130px; }
.md-log th:nth-child(3) { width: 130px; }
.md-log th:nth-child(5) { width: 110px; }
.md-log tr.md-user { background: #fff4d6; font-weight: 500; }
.md-num { display: inline-block; background: #000; color: #fff; border-radius: 3px; padding: 0 4px; font-size: 0.7rem;
    font-weight: bold; }
.md-about { max-width: 900px; font-size: 0.92rem; }
.md-downloads { margin-bottom: 8px; }
.md-main .v-tab { text-transform: none; font-size: 0.85rem; padding: 0 10px; min-width: 0; }
.v-slider__thumb-label { font-size: 0.65rem; }
.md-slider-head { margin: 6px 0 0 0; line-height: 1.2; }
.md-slider-top { display: flex; justify-content: space-between; align-items: baseline; gap: 6px;
    font-size: 0.82rem; color: #222; }
.md-slider-name { flex: 1 1 auto; min-width: 0; }
.md-slider-value { font-weight: 600; font-size: 0.85rem; color: #0b4f8a; }
.md-tag { flex: none; font-size: 0.66rem; border: 1px solid #bbb; border-radius: 8px; padding: 0 6px; color: #555;
    white-space: nowrap; }
.md-tag-live { border-color: #0072B2; color: #0072B2; background: #eef6fb; }
.md-slider.v-input { margin-top: 0; padding-top: 0; }
.md-slider .v-slider { min-height: 26px; }
.md-lever-note { color: #8a5a00; font-weight: 600; }
.md-run-buttons .v-btn, .md-run-to-row .v-btn { text-transform: none; letter-spacing: 0; padding: 0 8px !important;
    min-width: 0 !important; }
.md-run-to-row { margin-top: 6px; flex-wrap: nowrap !important; }
.md-run-to-month { flex: 0 0 92px; max-width: 92px; }
.md-run-to-month .v-input { margin-top: 0; padding-top: 4px; }
.md-run-progress.md-running { font-size: 0.8rem; margin: 4px 0; color: #222; }
.md-bar { height: 4px; background: #e3e3e3; border-radius: 2px; margin-top: 2px; }
.md-bar > div { height: 4px; background: #1976d2; border-radius: 2px; }
"""
