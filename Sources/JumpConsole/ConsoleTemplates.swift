import Mustache

/// The console's pages as Mustache templates, shipped in the binary: no file to install, no CDN, no script.
/// Every `{{value}}` is HTML-escaped by Mustache; the only unescaped values (`{{{body}}}`, `{{{chart}}}`) are
/// the console's own rendered HTML and SVG.
struct ConsoleTemplates: Sendable {
    let layout: MustacheTemplate
    let overview: MustacheTemplate
    let deadLetters: MustacheTemplate
    let deadLetter: MustacheTemplate
    let company: MustacheTemplate
    let anomalies: MustacheTemplate
    let digest: MustacheTemplate
    let digests: MustacheTemplate
    let state: MustacheTemplate
    let signIn: MustacheTemplate
    let confirm: MustacheTemplate

    /// Parses every template once, when the console starts: a mistake in one stops the start with the parser's
    /// message instead of trapping on a first request.
    init() throws {
        layout = try MustacheTemplate(
            string: """
                <!doctype html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                {{#refreshSeconds}}<meta http-equiv="refresh" content="{{refreshSeconds}}">{{/refreshSeconds}}
                <title>{{title}} · jump-consumer</title>
                <style>
                body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b2330;background:#f6f7f9}
                header{background:#12355b;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.5rem;align-items:baseline;flex-wrap:wrap}
                header a{color:#dfe9f5;text-decoration:none;margin-right:1rem}header form.signout{margin-left:auto}header form.signout span{margin-right:.5rem}header a[aria-current]{color:#fff;font-weight:600;border-bottom:2px solid #f2b134}
                main{padding:1rem 1.2rem;max-width:80rem}h1{font-size:1.4rem;margin:.3rem 0 1rem}h2{font-size:1.1rem;margin:1.4rem 0 .5rem}
                table{border-collapse:collapse;background:#fff;width:100%;margin:.3rem 0 1rem}th,td{border:1px solid #dde1e7;padding:.3rem .5rem;text-align:left;vertical-align:top}
                th{background:#eef1f5;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
                .cards{display:flex;gap:1rem;flex-wrap:wrap}.card{background:#fff;border:1px solid #dde1e7;padding:.6rem 1rem;min-width:16rem}
                .ok{color:#17703a;font-weight:600}.behind{color:#8a5300;font-weight:600}.failing,.failure{color:#b3261e;font-weight:600}.muted{color:#5b6675}
                .notice{background:#e8f2fd;border:1px solid #9cc3ee;padding:.5rem .8rem}.failure{background:#fdecea;border:1px solid #f0a39d;padding:.5rem .8rem}
                code,pre{font:13px/1.4 ui-monospace,monospace;white-space:pre-wrap;overflow-wrap:anywhere}pre{background:#fff;border:1px solid #dde1e7;padding:.6rem}
                form.inline{display:inline-block;margin:0 .6rem .4rem 0}td{overflow-wrap:anywhere}svg{max-width:100%;height:auto}button{font:inherit;padding:.2rem .7rem;min-height:2.75rem;cursor:pointer}a.tap{display:inline-block;min-height:2.75rem;padding-top:.7rem;box-sizing:border-box;white-space:nowrap}td.actions{white-space:nowrap}td.preview{width:35%}input{font:inherit;min-height:2.75rem;max-width:100%;box-sizing:border-box}dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem;margin:0}dd{margin:0;overflow-wrap:anywhere;min-width:0}
                @media (max-width:40rem){main{padding:.6rem .7rem}header{padding:.5rem .7rem;gap:.4rem 1rem}header a{margin-right:.6rem;display:inline-block;min-height:2.75rem;line-height:2.75rem}
                table,tbody,tr,td{display:block}thead{display:none}tr{background:#fff;border:1px solid #dde1e7;margin:0 0 .6rem}
                td{border:0;border-top:1px solid #eef1f5}tr td:first-child{border-top:0}td.n{text-align:left}td.preview{width:auto}
                td[data-label]::before{content:attr(data-label);display:block;font-size:.8rem;color:#5b6675}.card{min-width:0;flex:1 1 100%}
                dl{grid-template-columns:minmax(0,1fr)}dt{font-weight:600}}
                @media (prefers-color-scheme:dark){body{color:#e3e8ef;background:#111821}table,pre,.card,tr{background:#19222d}
                th,td,tr,pre,.card{border-color:#2c3a4a}th{background:#223042}.muted{color:#9aa7b6}a{color:#8cc4ff}
                .notice{background:#16324f;border-color:#2f5f8f}.failure{background:#4a1b18;border-color:#8f3a33;color:#ffb4ab}
                .ok{color:#6fdc95}.behind{color:#f2b134}.failing{color:#ffb4ab}button{background:#2a3a4d;color:#e3e8ef;border:1px solid #4a5d73}}
                </style>
                </head>
                <body>
                <header><strong>jump-consumer</strong><span>{{roles}} · {{version}}</span>
                <nav>{{#nav}}<a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a>{{/nav}}</nav>
                {{#operator}}<form method="post" action="/console/sign-out" class="signout"><input type="hidden" name="csrf" value="{{csrf}}"><span>{{operator}}</span> <button>Sign out</button></form>{{/operator}}</header>
                <main>
                {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
                {{#failure}}<p class="failure" role="alert">{{failure}}</p>{{/failure}}
                {{{body}}}
                </main>
                </body>
                </html>
                """)

        overview = try MustacheTemplate(
            string: """
                <h1>Overview</h1>
                <section class="cards">
                <div class="card"><h2>Readiness</h2><p id="readiness" class="{{readinessClass}}">{{readiness}}</p>
                {{#hasReasons}}<ul>{{#reasons}}<li>{{.}}</li>{{/reasons}}</ul>{{/hasReasons}}</div>
                <div class="card"><h2>This process</h2><dl><dt>Roles</dt><dd>{{roles}}</dd><dt>Version</dt><dd>{{version}}</dd>
                <dt>Up for</dt><dd>{{uptime}}</dd><dt>Store</dt><dd>{{store}}</dd></dl></div>
                </section>
                <h2>The last hour, per minute</h2>
                {{#chart}}{{{chart}}}
                <p class="muted">Bars: events applied. Red: dead-lettered. Orange: anomalies. Grey: duplicates skipped.
                Purple line: the lag, on its own scale (drawn once it was above zero). Kept across restarts.
                In the last hour: {{hour.applied}} applied, {{hour.duplicates}} duplicates, {{hour.deadLettered}}
                dead-lettered, {{hour.anomalies}} anomalies.</p>{{/chart}}
                {{^chart}}<p class="muted">This process runs no state worker: nothing is applied here.</p>{{/chart}}
                {{#workers}}
                <h2>{{role}} worker · group {{group}}</h2>
                <p>{{lastBatch}} · last poll {{lastPoll}}{{#problem}} · <span class="failing">{{problem}}</span>{{/problem}}</p>
                <p class="muted rebalances">{{rebalances}}</p>
                <p class="{{lagClass}}" id="lag-{{role}}">{{lagLine}}</p>
                {{#hasPartitions}}<table><thead><tr><th>Partition</th><th>Next offset</th><th>High watermark</th><th>Lag</th></tr></thead>
                <tbody>{{#partitions}}<tr><td data-label="Partition">{{partition}}</td><td data-label="Next offset" class="n">{{next}}</td><td data-label="High watermark" class="n">{{high}}</td><td data-label="Lag" class="n {{lagClass}}">{{lag}}</td></tr>{{/partitions}}</tbody></table>{{/hasPartitions}}
                {{^partitions}}<p>No partition assigned yet.</p>{{/partitions}}
                {{/workers}}
                <h2>Recent actions</h2>
                {{#hasActions}}<table><thead><tr><th>When</th><th>Operator</th><th>From</th><th>Action</th><th>Target</th><th>Outcome</th></tr></thead><tbody>
                {{#actions}}<tr><td data-label="When">{{when}}</td><td data-label="Operator">{{operator}}</td><td data-label="From">{{client}}</td><td data-label="Action">{{action}}</td><td data-label="Target">{{target}}</td><td data-label="Outcome">{{outcome}}</td></tr>{{/actions}}
                </tbody></table>{{/hasActions}}
                {{^hasActions}}<p class="muted">No action or sign-in since this process started (the log keeps every one: <code>event=console.action</code>).</p>{{/hasActions}}
                """)

        deadLetters = try MustacheTemplate(
            string: """
                <h1>Dead letters</h1>
                <p>{{total}}{{#kind}} of kind <strong>{{kind}}</strong>{{/kind}} in {{topic}}, newest first; page {{pageNumber}} of {{pageCount}}.{{#kind}} <a href="/console/dead-letters">Every kind</a>{{/kind}}</p>
                {{#unknownKind}}<p class="failure">No dead letter is of kind “{{unknownKind}}”: every kind is listed.</p>{{/unknownKind}}
                {{#hasKinds}}<p>By kind: {{#kinds}}<a href="{{href}}"{{#current}} aria-current="true"{{/current}}>{{error}}</a> ({{count}}, {{open}} open) {{/kinds}}</p>{{/hasKinds}}
                {{#hasLetters}}<form method="post" action="/console/dead-letters/redeliver" class="inline">
                <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="all" value="1">
                <button>Redeliver every open one</button></form>
                <p class="muted">Each is validated first; one that is still invalid stays here and the page says why. Quote a dead letter by its place in {{topic}} (the first column), as <code>dlq redeliver --message</code> and <code>dlq settle --message</code> take it; “From” is where the event was before.</p>
                <table><thead><tr><th>Place</th><th>When</th><th>From</th><th>Why</th><th>Payload (first bytes)</th><th>Status</th><th></th></tr></thead><tbody>
                {{#letters}}<tr><td data-label="Place"><a href="{{href}}">{{place}}</a></td><td data-label="When">{{when}}</td><td data-label="From">{{origin}}{{#times}}<br><span class="muted">dead-lettered {{times}} times</span>{{/times}}</td>
                <td data-label="Why"><strong>{{error}}</strong><br>{{detail}}</td><td data-label="Payload (first bytes)" class="preview"><code>{{preview}}</code><br><span class="muted">{{size}}</span></td>
                <td data-label="Status"{{#open}} class="behind"{{/open}}>{{status}}</td>
                <td class="actions"><form method="post" action="/console/dead-letters/redeliver"><input type="hidden" name="csrf" value="{{csrf}}">
                <input type="hidden" name="place" value="{{place}}"><button>Redeliver {{place}}</button></form>
                <a class="tap" href="{{href}}">Details, settle</a></td></tr>{{/letters}}
                </tbody></table>{{/hasLetters}}
                {{^letters}}<p>Nothing here.</p>{{/letters}}
                <p>{{#newer}}<a class="tap" href="/console/dead-letters?page={{newer}}">← Newer</a> {{/newer}}{{#older}}<a class="tap" href="/console/dead-letters?page={{older}}">Older →</a>{{/older}}</p>
                """)

        deadLetter = try MustacheTemplate(
            string: """
                {{#missing}}<h1>Dead letter</h1><p class="failure">{{missing}}</p>{{/missing}}
                {{^missing}}<h1>Dead letter {{place}}</h1>
                <p>Quote <strong>{{place}}</strong>: its place in {{topic}} (<code>dlq redeliver --message {{place}}</code>, <code>dlq settle --message {{place}}</code>). The event was at {{origin}} before.</p>
                <dl><dt>Status</dt><dd{{#open}} class="behind"{{/open}}>{{status}}</dd>
                <dt>Dead-lettered</dt><dd>{{when}}{{#times}}; {{times}}{{/times}}</dd>
                <dt>From</dt><dd>{{origin}}</dd><dt>Why</dt><dd><strong>{{error}}</strong>: {{detail}}</dd>
                <dt>Key</dt><dd><code>{{key}}</code></dd><dt>Size</dt><dd>{{size}}</dd></dl>
                <h2>Headers</h2>
                <table><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody>
                {{#headers}}<tr><td data-label="Name"><code>{{name}}</code></td><td data-label="Value"><code>{{value}}</code></td></tr>{{/headers}}
                </tbody></table>
                <h2>Payload</h2>
                <pre>{{payload}}</pre>
                <h2>Act on it</h2>
                <form method="post" action="/console/dead-letters/redeliver" class="inline"><input type="hidden" name="csrf" value="{{csrf}}">
                <input type="hidden" name="place" value="{{place}}"><button>Redeliver {{place}}</button></form>
                <form method="post" action="/console/dead-letters/settle"><input type="hidden" name="csrf" value="{{csrf}}">
                <input type="hidden" name="place" value="{{place}}">
                <p><label for="note">Settle it without redelivering it (a test message, an event published again by hand); why:</label><br>
                <input id="note" name="note" maxlength="{{noteLimit}}" size="50" placeholder="published again by hand"></p>
                <button>Settle {{place}}</button></form>{{/missing}}
                <p><a class="tap" href="/console/dead-letters">← Every dead letter</a></p>
                """)

        digests = try MustacheTemplate(
            string: """
                <h1>Digests</h1>
                {{^notifier}}<p class="notice">This process runs <code>--role {{role}}</code>: digests are built and sent by
                the process that runs the notifier (<code>--role notifier</code> or <code>all</code>). Its console shows
                them.</p>{{/notifier}}
                {{#notifier}}
                <p>{{#audiences}}<form method="post" action="/console/digests/send-now" class="inline">
                <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="audience" value="{{id}}">
                <button>Send now: {{name}}</button></form> {{/audiences}}</p>
                <table><thead><tr><th>Audience</th><th>Schedule</th><th>Its open window closes (and its digest is sent)</th></tr></thead><tbody>
                {{#audiences}}<tr><td data-label="Audience">{{name}}<br><a class="tap" href="{{preview}}">Preview its open window</a></td><td data-label="Schedule">{{schedule}}</td><td data-label="Its open window closes (and its digest is sent)" class="next-send">{{next}}</td></tr>{{/audiences}}
                </tbody></table>
                {{#digests}}<article><h2>{{audienceName}} · {{window}}</h2>
                <p><a href="{{href}}">{{items}}, every one</a> · built {{builtAt}} · <span class="muted">{{id}}</span></p>
                {{#mailed}}<form method="post" action="/console/digests/resend" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="digest" value="{{id}}"><button>Send again by mail</button></form>{{/mailed}}
                <table><thead><tr><th>Sink</th><th>To</th><th>State</th><th>Attempts</th><th>Delivered</th><th>Last error</th></tr></thead><tbody>
                {{#deliveries}}<tr><td data-label="Sink">{{sink}}</td><td data-label="To">{{recipient}}</td><td data-label="State">{{status}}</td><td data-label="Attempts" class="n">{{attempts}}</td><td data-label="Delivered">{{deliveredAt}}</td><td data-label="Last error">{{lastError}}</td></tr>{{/deliveries}}
                </tbody></table>
                {{#texts}}<details{{#open}} open{{/open}}><summary>{{language}}</summary><pre lang="{{language}}">{{text}}</pre></details>{{/texts}}
                </article>{{/digests}}
                {{^digests}}<p>No digest yet.</p>{{/digests}}
                {{/notifier}}
                """)

        state = try MustacheTemplate(
            string: """
                <h1>State</h1>
                <dl><dt>Events applied</dt><dd>{{applied}}</dd><dt>Duplicates skipped</dt><dd>{{duplicates}}</dd>
                <dt>Dead-lettered</dt><dd>{{deadLettered}}</dd><dt>Anomalies</dt><dd>{{anomalyCount}}</dd>
                <dt>Delegation meetings</dt><dd>{{meetings}}</dd><dt>Partitions held</dt><dd>{{partitions}}</dd></dl>
                <h2>Expansions</h2>
                <table><thead><tr><th>Direction</th><th>Status</th><th>Count</th><th>Planned jobs</th><th>Planned investment</th><th>Jobs created</th><th>Invested</th></tr></thead><tbody>
                {{#expansions}}<tr><td data-label="Direction">{{direction}}</td><td data-label="Status">{{status}}</td><td data-label="Count" class="n">{{count}}</td><td data-label="Planned jobs" class="n">{{plannedJobs}}</td><td data-label="Planned investment" class="n">{{plannedDollars}}</td><td data-label="Jobs created" class="n">{{actualJobs}}</td><td data-label="Invested" class="n">{{actualDollars}}</td></tr>{{/expansions}}
                </tbody></table>
                <h2>Investments</h2>
                <table><thead><tr><th>Direction</th><th>Count</th><th>Total</th></tr></thead><tbody>
                {{#investments}}<tr><td data-label="Direction">{{direction}}</td><td data-label="Count" class="n">{{count}}</td><td data-label="Total" class="n">{{dollars}}</td></tr>{{/investments}}
                </tbody></table>
                <h2>Companies</h2>
                <form method="get" action="/console/state"><label>Search <input name="q" value="{{query}}" placeholder="name or id"></label>
                <button>Search</button></form>
                <p class="muted">{{companiesNote}}</p>
                <table><thead><tr><th>Id</th><th>Name</th><th>Country</th><th>Sector</th><th>Expansions</th><th>Investments</th></tr></thead><tbody>
                {{#companies}}<tr><td data-label="Id"><a href="{{href}}">{{id}}</a></td><td data-label="Name"><a href="{{href}}">{{name}}</a></td><td data-label="Country">{{country}}</td><td data-label="Sector">{{sector}}</td><td data-label="Expansions" class="n">{{expansions}}</td><td data-label="Investments" class="n">{{investments}}</td></tr>{{/companies}}
                </tbody></table>
                <h2>Exports</h2>
                {{#hasExports}}<table><thead><tr><th>Series</th><th>Period</th><th>Value</th><th>Revisions</th></tr></thead><tbody>
                {{#exports}}<tr><td data-label="Series">{{series}}</td><td data-label="Period">{{period}}</td><td data-label="Value" class="n">{{value}}</td><td data-label="Revisions" class="n">{{revisions}}</td></tr>{{/exports}}
                </tbody></table>{{/hasExports}}{{^hasExports}}<p>None.</p>{{/hasExports}}
                <h2>Jobs</h2>
                {{#hasJobs}}<table><thead><tr><th>Series</th><th>Period</th><th>Jobs supported</th><th>Revisions</th></tr></thead><tbody>
                {{#jobs}}<tr><td data-label="Series">{{series}}</td><td data-label="Period">{{period}}</td><td data-label="Jobs supported" class="n">{{value}}</td><td data-label="Revisions" class="n">{{revisions}}</td></tr>{{/jobs}}
                </tbody></table>{{/hasJobs}}{{^hasJobs}}<p>None.</p>{{/hasJobs}}
                <h2>Initiatives</h2>
                {{#hasInitiatives}}<dl>{{#initiatives}}<dt>{{status}}</dt><dd>{{count}}</dd>{{/initiatives}}</dl>{{/hasInitiatives}}
                {{^hasInitiatives}}<p>None.</p>{{/hasInitiatives}}
                <h2>Anomalies</h2>
                <table><thead><tr><th>Where</th><th>Event</th><th>Kind</th><th>Detail</th></tr></thead><tbody>
                {{#anomalies}}<tr><td data-label="Where">{{place}}</td><td data-label="Event">{{eventId}}</td><td data-label="Kind">{{kind}}</td><td data-label="Detail">{{detail}}</td></tr>{{/anomalies}}
                </tbody></table>
                {{^anomalies}}<p>None.</p>{{/anomalies}}
                {{#moreAnomalies}}<p><a class="tap" href="/console/anomalies">Every anomaly ({{moreAnomalies}}), by kind →</a></p>{{/moreAnomalies}}
                """)

        digest = try MustacheTemplate(
            string: """
                {{#missing}}<h1>Digest</h1><p class="failure">{{missing}}</p>{{/missing}}
                {{^missing}}<h1>{{#preview}}Preview: {{/preview}}{{audienceName}} · {{window}}</h1>
                {{#preview}}<p class="notice">What this audience's open window would send if it closed now; nothing is closed or sent. Its window closes on its schedule (the Digests page says when), or with Send now.</p>
                {{#texts}}<details{{#open}} open{{/open}}><summary>Text: {{language}}</summary><pre lang="{{language}}">{{text}}</pre></details>{{/texts}}{{/preview}}
                <p>{{items}}, most important first (the text shows the first 25){{#omitted}}; the copy on the digests topic leaves out {{omitted}}{{/omitted}} · <span class="muted">{{id}}</span></p>
                <table><thead><tr><th>Importance</th><th>Headline</th><th>Type</th><th>Date</th><th>Event</th><th>Place in the log</th></tr></thead><tbody>
                {{#rows}}<tr><td data-label="Importance" class="n">{{importance}}</td><td data-label="Headline">{{#headlines}}<p lang="{{language}}">{{text}}</p>{{/headlines}}{{#derived}}<span class="muted">computed from reported figures</span>{{/derived}}</td>
                <td data-label="Type">{{type}}</td><td data-label="Date">{{happenedOn}}</td><td data-label="Event"><code>{{eventId}}</code></td><td data-label="Place in the log">{{origin}}</td></tr>{{/rows}}
                </tbody></table>{{/missing}}
                <p><a class="tap" href="/console/digests">← Digests</a></p>
                """)

        anomalies = try MustacheTemplate(
            string: """
                <h1>Anomalies</h1>
                <p>{{total}}{{#kind}} of kind <strong>{{kind}}</strong>{{/kind}}{{#period}} recorded in {{period}}{{/period}}, in the order of the log; page {{pageNumber}} of {{pageCount}}.{{#kind}} <a href="/console/anomalies">Every kind</a>{{/kind}}</p>
                <p>Recorded in: {{#periods}}<a class="tap" href="{{href}}"{{#current}} aria-current="true"{{/current}}>{{label}}</a> {{/periods}}</p>
                {{#unknownKind}}<p class="failure">{{#period}}No anomaly of kind “{{unknownKind}}” was recorded in {{period}}: every kind recorded then is listed.{{/period}}{{^period}}No anomaly is of kind “{{unknownKind}}”: every kind is listed.{{/period}}</p>{{/unknownKind}}
                {{#hasKinds}}<p>By kind: {{#kinds}}<a href="{{href}}"{{#current}} aria-current="true"{{/current}}>{{kind}}</a> ({{count}}) {{/kinds}}</p>{{/hasKinds}}
                <p class="muted">“Where” is the event's place in the log (PARTITION@OFFSET of the events topic); the detail says which value won.</p>
                {{#hasAnomalies}}<table><thead><tr><th>Where</th><th>Event</th><th>Kind</th><th>Detail</th><th>Recorded</th></tr></thead><tbody>
                {{#anomalies}}<tr><td data-label="Where">{{place}}</td><td data-label="Event">{{eventId}}</td><td data-label="Kind">{{kind}}</td><td data-label="Detail">{{detail}}</td><td data-label="Recorded">{{recorded}}</td></tr>{{/anomalies}}
                </tbody></table>{{/hasAnomalies}}
                {{^hasAnomalies}}<p>None.</p>{{/hasAnomalies}}
                <p>{{#earlier}}<a class="tap" href="/console/anomalies?page={{earlier}}">← Earlier</a> {{/earlier}}{{#later}}<a class="tap" href="/console/anomalies?page={{later}}">Later →</a>{{/later}}</p>
                """)

        company = try MustacheTemplate(
            string: """
                {{#missing}}<h1>Company</h1><p class="failure">{{missing}}</p>{{/missing}}
                {{^missing}}<h1>{{name}}</h1>
                <dl><dt>Id</dt><dd><code>{{id}}</code></dd><dt>Country</dt><dd>{{country}}</dd><dt>Sector</dt><dd>{{sector}}</dd></dl>
                <h2>Expansions</h2>
                {{#hasExpansions}}<table><thead><tr><th>Expansion</th><th>Status</th><th>Direction</th><th>Where</th><th>Planned</th><th>Created and invested</th><th>Dates</th><th>In the log</th></tr></thead><tbody>
                {{#expansions}}<tr><td data-label="Expansion"><code>{{id}}</code></td><td data-label="Status">{{status}}</td><td data-label="Direction">{{direction}}</td><td data-label="Where">{{place}}</td><td data-label="Planned">{{planned}}</td><td data-label="Created and invested">{{actual}}</td><td data-label="Dates">{{dates}}</td><td data-label="In the log">{{events}}</td></tr>{{/expansions}}
                </tbody></table>{{/hasExpansions}}
                {{^hasExpansions}}<p>None.</p>{{/hasExpansions}}
                <h2>Investments</h2>
                {{#hasInvestments}}<table><thead><tr><th>Investment</th><th>Direction</th><th>Amount</th><th>Region</th><th>Announced</th><th>In the log</th></tr></thead><tbody>
                {{#investments}}<tr><td data-label="Investment"><code>{{id}}</code></td><td data-label="Direction">{{direction}}</td><td data-label="Amount" class="n">{{amount}}</td><td data-label="Region">{{region}}</td><td data-label="Announced">{{announcedOn}}</td><td data-label="In the log">{{events}}</td></tr>{{/investments}}
                </tbody></table>{{/hasInvestments}}
                {{^hasInvestments}}<p>None.</p>{{/hasInvestments}}
                <h2>Anomalies</h2>
                {{#hasAnomalies}}<p class="muted">Those whose detail names the company or one of its expansions; “Where” is the event's place in the log.</p>
                <table><thead><tr><th>Where</th><th>Event</th><th>Kind</th><th>Detail</th></tr></thead><tbody>
                {{#anomalies}}<tr><td data-label="Where">{{place}}</td><td data-label="Event">{{eventId}}</td><td data-label="Kind">{{kind}}</td><td data-label="Detail">{{detail}}</td></tr>{{/anomalies}}
                </tbody></table>{{/hasAnomalies}}
                {{^hasAnomalies}}<p>None.</p>{{/hasAnomalies}}{{/missing}}
                <p><a class="tap" href="/console/state">← State</a></p>
                """)

        confirm = try MustacheTemplate(
            string: """
                <h1>{{question}}</h1>
                <p>{{detail}}</p>
                <form method="post" action="{{action}}" class="inline"><input type="hidden" name="csrf" value="{{csrf}}">
                <input type="hidden" name="confirm" value="yes">{{#fields}}<input type="hidden" name="{{name}}" value="{{value}}">{{/fields}}
                <button>{{button}}</button></form> <a href="{{back}}">Cancel</a>
                """)

        signIn = try MustacheTemplate(
            string: """
                <h1>Sign in</h1>
                <p>This console asks who you are: give your operator's token, the one whose SHA-256 the file named by
                <code>console.tokenFile</code> (or the <code>console-token</code> credential) holds under your name.</p>
                <form method="post" action="/console/sign-in"><input type="hidden" name="next" value="{{next}}"><label>Token <input type="password" name="token" autocomplete="current-password"></label>
                <button>Sign in</button></form>
                """)
    }
}
