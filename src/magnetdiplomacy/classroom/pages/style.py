"""Styles of the classroom pages: readable on a laptop, a projector and a tablet."""

CSS = """
.cr-top { display: flex; align-items: center; gap: 12px; padding: 8px 16px; background: #0b3d2e; color: #fff; }
.cr-top a { color: #fff; text-decoration: none; }
.cr-top .cr-brand { font-size: 1.15rem; font-weight: 600; }
.cr-top .cr-sub { font-size: 0.85rem; opacity: 0.85; }
.cr-page { max-width: 1280px; margin: 0 auto; padding: 10px 16px 40px 16px; }
.cr-cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 14px; }
.cr-card { border: 1px solid #dcdcdc; border-radius: 8px; padding: 10px 14px; background: #fff; margin-bottom: 12px; }
.cr-card h2 { font-size: 1.1rem; margin: 2px 0 8px 0; }
.cr-card h3 { font-size: 0.98rem; margin: 4px 0 4px 0; }
.cr-help { font-size: 0.8rem; color: #4a4a4a; line-height: 1.3; margin: 0 0 6px 0; }
.cr-status { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 14px; padding: 8px 12px;
    border-radius: 8px; background: #f3f7f5; border: 1px solid #d3e2da; margin-bottom: 12px; }
.cr-status .cr-quarter { font-size: 1.15rem; font-weight: 600; }
.cr-status .cr-who { font-size: 0.9rem; color: #333; }
.cr-badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 0.78rem; font-weight: 600;
    background: #e0e0e0; color: #222; }
.cr-badge.cr-running { background: #d7f0e4; color: #05603a; }
.cr-badge.cr-paused { background: #fde7c7; color: #8a5a00; }
.cr-badge.cr-lobby { background: #e3ecf7; color: #0b4a8a; }
.cr-badge.cr-finished, .cr-badge.cr-closed { background: #ececec; color: #444; }
.cr-banner { padding: 8px 12px; border-radius: 6px; background: #fff4d6; border-left: 4px solid #E69F00;
    margin-bottom: 10px; font-size: 0.92rem; }
.cr-error { padding: 6px 10px; border-radius: 6px; background: #fde8e4; border-left: 4px solid #D55E00; margin: 6px 0;
    font-size: 0.88rem; }
.cr-ok { padding: 6px 10px; border-radius: 6px; background: #e6f4ee; border-left: 4px solid #009E73; margin: 6px 0;
    font-size: 0.88rem; }
.cr-grid { display: grid; grid-template-columns: minmax(0, 1.05fr) minmax(0, 1fr); gap: 14px; }
@media (max-width: 980px) { .cr-grid { grid-template-columns: 1fr; } }
.cr-decision { border-top: 1px solid #ececec; padding: 8px 0 4px 0; }
.cr-decision:first-of-type { border-top: none; }
.cr-decision .cr-title { font-weight: 600; font-size: 0.95rem; }
.cr-decision .cr-now { font-size: 0.85rem; color: #333; }
.cr-decision .v-input--radio-group { margin-top: 2px; padding-top: 0; }
.cr-decision .v-radio { margin-bottom: 2px !important; }
.cr-decision .v-label { font-size: 0.88rem; color: #222 !important; }
.cr-tradeoff { font-size: 0.82rem; background: #eef6fb; border-left: 3px solid #0072B2; padding: 4px 8px;
    margin: 4px 0 2px 0; }
.cr-tradeoff table { border-collapse: collapse; width: 100%; margin-top: 2px; table-layout: fixed; }
.cr-tradeoff td, .cr-tradeoff th { padding: 1px 6px 2px 0; text-align: left; font-weight: normal;
    vertical-align: top; overflow-wrap: anywhere; }
.cr-tradeoff th { color: #555; font-size: 0.76rem; }
.cr-tradeoff th:first-child { width: 24%; }
.cr-level { font-weight: 600; color: #111; }
.cr-delta { display: block; font-size: 0.92em; color: #555; }
.cr-flag { display: block; font-size: 0.9em; }
.cr-flag.cr-inside { color: #05603a; } .cr-flag.cr-outside { color: #a0360a; font-weight: 600; }
.cr-band { margin-top: 3px; }
.cr-note { font-style: italic; }
.cr-up { color: #05603a; } .cr-down { color: #a0360a; }
.cr-compare { font-size: 0.74rem; max-width: 100%; overflow-x: auto; }
.cr-compare table { border-collapse: collapse; width: 100%; }
.cr-compare td, .cr-compare th { border-bottom: 1px solid #e6e6e6; padding: 2px 3px; text-align: left;
    vertical-align: top; overflow-wrap: break-word; }
.cr-plan { background: #f7f7f7; border-radius: 6px; padding: 6px 10px; margin-top: 8px; font-size: 0.88rem; }
.cr-tiles { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 8px; }
.cr-tile { flex: 1 1 130px; min-width: 120px; border: 1px solid #d8d8d8; border-radius: 6px; padding: 4px 8px;
    background: #fafafa; }
.cr-tile.cr-good { border-left: 4px solid #009E73; } .cr-tile.cr-short { border-left: 4px solid #E69F00; }
.cr-tile-label { font-size: 0.7rem; color: #555; text-transform: uppercase; letter-spacing: 0.02em; }
.cr-tile-value { font-size: 1.12rem; font-weight: 600; color: #111; }
.cr-tile-detail { font-size: 0.7rem; color: #555; line-height: 1.2; }
.cr-chart svg { width: 100%; height: auto; }
.cr-news { max-height: 420px; overflow-y: auto; }
.cr-news-item { border-top: 1px solid #eee; padding: 5px 0; font-size: 0.86rem; }
.cr-news-item:first-child { border-top: none; }
.cr-news-item .cr-when { font-size: 0.72rem; color: #666; }
.cr-news-item .cr-headline { font-weight: 600; }
.cr-news-item.cr-inject, .cr-news-item.cr-teacher { background: #fff8e6; padding: 6px; border-radius: 4px; }
.cr-news-item .cr-by { font-size: 0.72rem; font-weight: 600; color: #0b4a8a; }
.cr-table { border-collapse: collapse; width: 100%; font-size: 0.84rem; }
.cr-table th { text-align: left; background: #f0f0f0; padding: 4px 6px; position: sticky; top: 0; }
.cr-table td { border-top: 1px solid #e6e6e6; padding: 3px 6px; vertical-align: top; }
.cr-table tr.cr-ai td { color: #555; font-style: italic; }
.cr-dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; background: #bbb; margin-right: 4px; }
.cr-dot.cr-on { background: #009E73; }
.cr-code { font-size: 2.2rem; font-weight: 700; letter-spacing: 0.18em; font-family: monospace; color: #0b3d2e; }
.cr-key { font-family: monospace; background: #f3f3f3; padding: 2px 6px; border-radius: 4px; word-break: break-all; }
.cr-seats { display: grid; grid-template-columns: repeat(auto-fit, minmax(230px, 1fr)); gap: 10px; }
.cr-seat { border: 1px solid #dcdcdc; border-radius: 8px; padding: 8px 10px; }
.cr-seat.cr-mine { border: 2px solid #009E73; background: #f1faf6; }
.cr-seat h3 { margin: 0 0 4px 0; font-size: 1rem; }
.cr-scores td:nth-child(n+2), .cr-scores th:nth-child(n+2) { text-align: right; }
.cr-verdict { font-size: 1rem; margin: 4px 0 10px 0; }
.cr-small { font-size: 0.78rem; color: #555; }
.cr-buttons { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 6px 0; }
.cr-main .v-tab { text-transform: none; font-size: 0.9rem; }
"""
