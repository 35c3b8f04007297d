import Foundation
import InterviewScheduling

/// The candidate's page as HTML: plain forms, no script, every value escaped.
enum CandidatePageHTML {
    static func page(_ view: CandidatePageView, action: String, notice: String?, problem: String?) -> String {
        var body: [String] = ["<h1>\(escape(view.title))</h1>", "<p>Dear \(escape(view.candidateName)),</p>"]
        if let notice { body.append("<p class=\"notice\" role=\"status\">\(escape(notice))</p>") }
        if let problem { body.append("<p class=\"problem\" role=\"alert\">\(escape(problem))</p>") }
        var details: [(String, String)] = [("When", escape(view.when))]
        if let link = view.meetingURL { details.append(("Join", "<a href=\"\(escape(link))\">\(escape(link))</a>")) }
        if let location = view.location, !location.isEmpty { details.append(("Where", escape(location))) }
        details.append(("Panel", escape(view.panel.joined(separator: ", "))))
        details.append(("Your answer", escape(answer(view.response))))
        body.append("<dl>" + details.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>" }.joined() + "</dl>")
        if view.cancelled {
            body.append("<p>This interview has been cancelled.</p>")
        } else if view.rescheduling {
            body.append("<p>A new time is being found. You will receive an updated invitation by e-mail.</p>")
        } else {
            body.append(
                """
                <form method="post" action="\(escape(action))">
                <input type="hidden" name="sequence" value="\(view.sequence)">
                <button type="submit" name="answer" value="accept">Accept</button>
                <button type="submit" name="answer" value="decline">Decline</button>
                </form>
                <h2>Ask for another time</h2>
                <form method="post" action="\(escape(action))">
                <p>Any day from <input type="date" name="from" required min="\(escape(view.offeredFrom))" max="\(escape(view.offeredTo))" value="\(escape(view.offeredFrom))">
                to <input type="date" name="to" required min="\(escape(view.offeredFrom))" max="\(escape(view.offeredTo))" value="\(escape(view.offeredTo))">
                (\(escape(view.timeZone)))</p>
                <button type="submit" name="answer" value="another-time">Ask for another time</button>
                </form>
                """)
        }
        return document(title: view.title, body: body.joined(separator: "\n"))
    }

    static func message(_ title: String, _ text: String) -> String {
        document(title: title, body: "<h1>\(escape(title))</h1>\n<p>\(escape(text))</p>")
    }

    private static func document(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex">
        <title>\(escape(title))</title>
        <style>
        body { font-family: system-ui, sans-serif; max-width: 40em; margin: 2em auto; padding: 0 1em; line-height: 1.5; }
        dt { font-weight: bold; } dd { margin: 0 0 .5em 0; }
        button { font-size: 1em; padding: .5em 1.2em; margin: .3em .3em .3em 0; }
        .notice { background: #e8f5e9; padding: .5em 1em; } .problem { background: #fdecea; padding: .5em 1em; }
        </style>
        </head>
        <body>
        \(body)
        </body>
        </html>
        """
    }

    static func answer(_ response: CandidateResponse) -> String {
        switch response {
        case .needsAction: "not given yet"
        case .accepted: "accepted"
        case .declined: "declined"
        case .tentative: "tentative"
        }
    }

    static func escape(_ text: String) -> String {
        HTMLText.escape(text)
    }
}
