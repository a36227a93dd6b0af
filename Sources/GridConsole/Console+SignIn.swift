import Foundation
import GridAccounts
import GridModel
import GridWeb
import Hummingbird

/// Signing in and out.
extension Console {
    struct SignInContext {
        let heading, accountLabel, passwordLabel, submit, hint: String
        let worker: String
        let error: String?

        init(_ words: Words, worker: String = "", error: String? = nil) {
            heading = words("GridSync 办公室控制台 登录", "GridSync office console: sign in")
            accountLabel = words("账号", "Account")
            passwordLabel = words("密码", "Password")
            submit = words("登录", "Sign in")
            hint = words(
                "办公室账号的密码由服务器管理员用 gridsyncd worker passwd 设置。",
                "The server's administrator sets an office account's password with gridsyncd worker passwd.")
            self.worker = worker
            self.error = error
        }
    }

    func signInPage(_ request: Request) -> Response {
        let words = Words(request.cookies[Self.languageCookie]?.value)
        return html(
            Page(title: words("登录", "Sign in"), body: render("sign-in", SignInContext(words))), session: nil,
            words: words)
    }

    /// Checks the account and password; on success starts a session and goes to the overview.
    /// A wrong account and a wrong password get the same answer; a locked one says for how long.
    func signIn(_ request: Request, context: ConsoleContext) async throws -> Response {
        let words = Words(request.cookies[Self.languageCookie]?.value)
        let form = try await form(request)
        let name = form["worker"] ?? ""
        func refused(_ text: String, _ status: HTTPResponse.Status) -> Response {
            var page = Page(
                title: words("登录", "Sign in"), body: render("sign-in", SignInContext(words, worker: name, error: text)))
            page.status = status
            return html(page, session: nil, words: words)
        }
        if let wait = await signIns.wait(account: name, address: context.address) {
            let minutes = Int((wait / 60).rounded(.up))
            return refused(
                words(
                    "登录失败次数过多，请 \(minutes) 分钟后再试，或请管理员重设密码。",
                    "Too many failed sign-ins: try again in \(minutes) minutes, or ask the administrator to set a new password."
                ),
                .tooManyRequests)
        }
        let password = form["password"] ?? ""
        if let worker = WorkerID(name), let account = try await accounts.account(worker), account.revokedAt == nil,
            account.role == .office, let hash = try await accounts.password(of: worker), hash.matches(password)
        {
            await signIns.succeeded(account: name)
            let (id, _) = await sessions.start(worker: worker, scopes: account.scopes)
            var response = Response.redirect(to: "/")
            response.setCookie(
                Cookie(
                    name: Self.sessionCookie, value: id, path: "/", secure: settings.secure, httpOnly: true,
                    sameSite: .strict))
            return response
        }
        await signIns.failed(account: name, address: context.address)
        return refused(words("账号或密码不对。", "Wrong account or password."), .unauthorized)
    }

    /// Ends the session (with its form's token: another site cannot sign anyone out) and goes
    /// back to the sign-in page.
    func signOut(_ request: Request) async throws -> Response {
        try await posted(request, back: "/") { _, _, _ in
            if let id = request.cookies[Self.sessionCookie]?.value { await sessions.end(id) }
            var response = Response.redirect(to: "/sign-in")
            response.setCookie(
                Cookie(
                    name: Self.sessionCookie, value: "", maxAge: 0, path: "/", secure: settings.secure,
                    httpOnly: true, sameSite: .strict))
            return response
        }
    }
}
