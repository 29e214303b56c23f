"""Words for the demo forum: workplace topics with questions colleagues really ask.

Each topic has its tags, question titles (with an optional `{thing}` slot filled from the
topic's things), opening lines for bodies, and answer paragraphs to combine.
"""

TOPICS: dict[str, dict[str, tuple[str, ...]]] = {
    "sql": {
        "tags": ("sql", "postgresql", "databases", "reporting"),
        "things": ("a window function", "a LEFT JOIN", "a CTE", "an index", "GROUP BY"),
        "titles": (
            "How do I use {thing} to get the latest row per customer?",
            "Why is my query slow even though I added {thing}?",
            "When should I reach for {thing} instead of a subquery?",
            "Counting distinct users per month without double counting",
            "Turning rows into columns for a weekly report",
        ),
        "bodies": (
            "I'm building the monthly revenue report and the numbers don't match finance's.",
            "Our dashboard query takes 40 seconds on the orders table (about 3 million rows).",
            "I keep copying the same subquery into five places and it feels wrong.",
        ),
        "answers": (
            "Use `ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY created_at DESC)` in a "
            "CTE and keep the rows where it is 1. It reads better than a correlated subquery.",
            "Run `EXPLAIN ANALYZE` first. Nine times out of ten the index exists but the "
            "query wraps the column in a function, so it can't be used.",
            "A CTE is mostly about readability; the planner inlines it in PostgreSQL 12+. "
            "Name each step after what it means in the business.",
            "Count `DISTINCT user_id` inside each month bucket with `date_trunc('month', …)`; "
            "don't sum daily distinct counts, that's where the double counting comes from.",
        ),
    },
    "python": {
        "tags": ("python", "pandas", "automation", "scripting"),
        "things": ("pandas", "a virtual environment", "type hints", "pytest", "asyncio"),
        "titles": (
            "What's the cleanest way to start using {thing} on an old script?",
            "How do I read a 2 GB CSV with {thing} without running out of memory?",
            "Is {thing} worth it for a small team's internal tools?",
            "Automating our weekly spreadsheet clean-up with Python",
            "How should I structure a script that has grown to 800 lines?",
        ),
        "bodies": (
            "I maintain a script the whole team runs every Monday, and it keeps breaking.",
            "I'm not a developer by training, so please explain like I'm new to this.",
            "We have Python 3.11 on our laptops and no admin rights.",
        ),
        "answers": (
            "Read it in chunks: `pd.read_csv(path, chunksize=100_000)` and aggregate as you "
            "go. Setting `dtype` for the big columns halves the memory too.",
            "Create one virtual environment per project (`python -m venv .venv`) and keep a "
            "`requirements.txt` next to the script so anyone can rebuild it.",
            "Split it into functions that each do one thing, then add a `main()`; once the "
            "pieces have names, tests with pytest become easy to write.",
            "Type hints pay off as soon as a second person edits the code: the editor "
            "catches half the mistakes before you run anything.",
        ),
    },
    "excel": {
        "tags": ("excel", "spreadsheets", "finance", "reporting"),
        "things": ("XLOOKUP", "a pivot table", "Power Query", "conditional formatting"),
        "titles": (
            "How do I replace our nested VLOOKUPs with {thing}?",
            "Can {thing} refresh automatically when the source file changes?",
            "Best way to share a budget model without people breaking the formulas",
            "Why does {thing} show different totals from the raw data?",
        ),
        "bodies": (
            "Our forecast workbook has grown to 30 tabs and nobody dares touch it.",
            "Finance sends the export every Friday and I rebuild the same view by hand.",
        ),
        "answers": (
            "XLOOKUP handles the not-found case and looks left, so the nested IFERROR "
            "chains can go. Convert the ranges to Tables first so references stay readable.",
            "Load the export with Power Query once; next Friday it is one click on Refresh.",
            "Lock the formula cells (Format Cells → Protection), protect the sheet, and keep "
            "inputs on one clearly coloured tab.",
            "Pivot totals differ when blanks or text-numbers sneak in. Check the source "
            "column with `=ISTEXT()` before blaming the pivot.",
        ),
    },
    "kubernetes": {
        "tags": ("kubernetes", "docker", "devops", "cloud"),
        "things": ("a readiness probe", "resource limits", "a Helm chart", "an Ingress"),
        "titles": (
            "Our pods restart under load — is {thing} the problem?",
            "How do I explain {thing} to someone new to containers?",
            "What's a sensible default for {thing} on small services?",
            "Moving a cron job from a VM to Kubernetes",
        ),
        "bodies": (
            "We moved the billing service last month and it has been flaky since.",
            "I'm preparing a teach-back for the platform guild and want to get this right.",
        ),
        "answers": (
            "If the liveness probe fails while the app is just busy, Kubernetes kills a "
            "healthy pod. Use a readiness probe for 'not now' and keep liveness lenient.",
            "Set requests to what the service needs at steady state and limits a bit above; "
            "a memory limit that's too tight shows up as OOMKilled restarts.",
            "A CronJob resource does this; set `concurrencyPolicy: Forbid` if two runs "
            "must never overlap.",
        ),
    },
    "public-speaking": {
        "tags": ("public-speaking", "presentations", "communication"),
        "things": ("slides", "a live demo", "Q&A", "a lunch-and-learn"),
        "titles": (
            "How do I keep {thing} from eating my whole talk?",
            "Tips for a first {thing} in front of the whole department?",
            "How long should I rehearse before {thing}?",
            "Nervous before presenting to leadership — what helped you?",
        ),
        "bodies": (
            "I'm presenting our quarterly results and I've never spoken to more than 10 people.",
            "I volunteered for a lunch-and-learn and now I'm second-guessing it.",
        ),
        "answers": (
            "Rehearse out loud three times: once alone, once recorded, once to a colleague. "
            "The recording is uncomfortable and it is where you learn the most.",
            "Open with the one sentence you want people to remember, and close with it.",
            "Record the demo as a backup video. If the live one fails you switch and move on.",
            "For Q&A, repeat the question before answering; it buys you time and the room "
            "hears it too.",
        ),
    },
    "negotiation": {
        "tags": ("negotiation", "sales", "communication"),
        "things": ("a discount request", "a renewal", "a multi-year deal"),
        "titles": (
            "How do you handle {thing} late in the quarter?",
            "What do you say when the buyer anchors very low on {thing}?",
            "Preparing for {thing} with a procurement team",
        ),
        "bodies": (
            "The customer's procurement team joined at the last minute and wants 30% off.",
            "I'm new to enterprise deals and want to prepare properly this time.",
        ),
        "answers": (
            "Never give a discount without getting something back: a longer term, a case "
            "study, an earlier signature.",
            "Name your walk-away point before the call and write it down. It keeps you from "
            "conceding in the moment.",
            "Ask what the number is based on. Often procurement has a target, not a reason.",
        ),
    },
    "figma": {
        "tags": ("figma", "design-systems", "ux", "accessibility"),
        "things": ("auto layout", "components", "variables", "design tokens"),
        "titles": (
            "How do we get engineers to use the {thing} in our design system?",
            "When does {thing} make a Figma file harder to maintain?",
            "Checking colour contrast before handing designs over",
        ),
        "bodies": (
            "Our design system has 200 components and the product teams still detach them.",
            "I'm a developer trying to read Figma files properly.",
        ),
        "answers": (
            "Pair the Figma components with the coded ones using the same names; adoption "
            "follows when the two match exactly.",
            "Use a contrast plugin and aim for 4.5:1 on body text. Do it on the component, "
            "not on every screen.",
            "Auto layout is worth it for anything that holds text; fixed frames break the "
            "moment copy gets translated.",
        ),
    },
    "git": {
        "tags": ("git", "code-review", "engineering-practices"),
        "things": ("a rebase", "a merge conflict", "a force push", "git bisect"),
        "titles": (
            "How do I undo {thing} without losing my colleague's work?",
            "Is {thing} safe on a shared branch?",
            "Finding which commit broke the build with {thing}",
            "How small should a pull request be?",
        ),
        "bodies": (
            "I ran the command from a blog post and now my branch looks very different.",
            "Our reviews take days because the pull requests are huge.",
        ),
        "answers": (
            "`git reflog` lists where your branch pointed before; `git reset --hard <that>` "
            "brings it back. Nothing committed is really lost for about 90 days.",
            "Only rewrite history on branches nobody else has pulled. On shared branches, "
            "revert instead.",
            "`git bisect run ./test.sh` finds the commit by itself in a few minutes.",
            "Aim for something a reviewer can read in 15 minutes. Split refactors from "
            "behaviour changes.",
        ),
    },
    "okrs": {
        "tags": ("okrs", "product-management", "planning"),
        "things": ("key results", "a roadmap", "quarterly planning"),
        "titles": (
            "How do you write {thing} that aren't just a task list?",
            "Our team keeps missing {thing} — what are we doing wrong?",
            "How to connect {thing} to what engineers actually do each week",
        ),
        "bodies": (
            "We set twelve objectives last quarter and finished two.",
            "Leadership wants OKRs and my team sees them as paperwork.",
        ),
        "answers": (
            "A key result describes a change in the world you can measure; if it starts "
            "with a verb like 'launch', it is probably a task.",
            "Three objectives at most. If everything is a priority nothing is.",
            "Review them every two weeks for ten minutes; OKRs that are only looked at in "
            "planning don't change behaviour.",
        ),
    },
    "onboarding": {
        "tags": ("onboarding", "people-management", "mentoring"),
        "things": ("a buddy programme", "the first week", "a 30-60-90 plan"),
        "titles": (
            "What made {thing} work for new starters on your team?",
            "How do I structure {thing} for a remote hire?",
            "Mentoring someone more senior than me — any advice?",
        ),
        "bodies": (
            "We are hiring six people next quarter and onboarding is ad hoc today.",
            "My new report joins from another time zone.",
        ),
        "answers": (
            "Give every new starter a buddy who isn't their manager, and put coffee chats "
            "in the calendar before day one.",
            "A 30-60-90 plan written together in week one sets expectations both ways.",
            "Ask what they want to get out of it, then mostly listen. Mentoring isn't about "
            "knowing more.",
        ),
    },
}

COMMENTS: tuple[str, ...] = (
    "Thanks, this saved me an afternoon.",
    "Could you share an example?",
    "This worked for me too.",
    "Which version are you on?",
    "Good point — I hadn't thought of that.",
    "We ran into the same thing last quarter.",
    "Happy to pair on this if you want.",
)

CLOSINGS: tuple[str, ...] = (
    "Any pointers welcome!",
    "What has worked for your team?",
    "Thanks in advance.",
    "Happy to share more details.",
    "",
)
