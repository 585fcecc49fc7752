package io.salesos.admin;

import io.salesos.html.Html;
import com.sun.net.httpserver.HttpExchange;
import io.salesos.mirror.Database;
import io.salesos.outbox.OutboxStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Approves or rejects drafts from the status page's form: POST only, and only with the admin
 * token (header {@code Authorization: Bearer}, {@code X-Admin-Token} or form field {@code token});
 * anything else is 403 and changes nothing, and counts towards the address's block. Without a
 * configured token the actions are off altogether.
 */
final class DraftActions {

  private static final Logger log = LoggerFactory.getLogger(DraftActions.class);
  private static final int MAX_BODY = 64 * 1024;

  private final OutboxStore outbox;
  private final AdminServer server;
  private final AdminToken token;

  DraftActions(Database database, AdminServer server, Clock clock) {
    this.outbox = new OutboxStore(database, clock);
    this.server = server;
    this.token = server.token();
  }

  AdminServer.Response handle(HttpExchange ex) {
    if (!"POST".equals(ex.getRequestMethod())) {
      return text(405, "POST a form with id, action (approve|reject) and token");
    }
    if (!token.configured()) {
      return text(403, "admin actions are off: configure admin.token to turn them on");
    }
    if (server.blocked(ex)) {
      return AdminServer.tooManyAttempts();
    }
    var form = StatusPage.formPairs(body(ex));
    // the page's login cookie is not enough here: the token itself, typed into the form, confirms each action
    var presented = AdminServer.presentedToken(ex)
        .or(() -> form.stream().filter(p -> p[0].equals("token")).map(p -> p[1]).findFirst());
    if (!token.accepts(presented)) {
      server.refused(ex, "/drafts");
      return text(403, "wrong or missing admin token");
    }
    var action = form.stream().filter(p -> p[0].equals("action")).map(p -> p[1]).findFirst().orElse("");
    var ids = new ArrayList<Long>();
    for (var p : form) {
      if (p[0].equals("id")) {
        try {
          ids.add(Long.parseLong(p[1].trim()));
        } catch (NumberFormatException e) {
          return text(400, "draft id is not a number");
        }
      }
    }
    var source = form.stream().filter(p -> p[0].equals("source")).map(p -> p[1]).findFirst().orElse("");
    var who = "status-page";
    int n = switch (action) {
      case "approve" -> outbox.approve(ids, who);
      case "reject" -> outbox.reject(ids, who);
      default -> -1;
    };
    if (n < 0) {
      return text(400, "action is approve or reject");
    }
    log.info("event=drafts_{} count={} by={}", action.equals("approve") ? "approved" : "rejected", n, who);
    var back = "/?source=" + StatusPage.url(source) + "#ops";
    return AdminServer.Response.html("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"2;url="
        + Html.esc(back) + "\"><title>drafts</title></head><body><p class=\"result\">" + (action.equals("approve") ? "Approved " : "Rejected ")
        + n + " draft" + (n == 1 ? "" : "s") + ".</p><p><a href=\"" + Html.esc(back) + "\">back to the status page</a></p></body></html>");
  }

  /** The request body as text, refused past 64 KiB. */
  static String body(HttpExchange ex) {
    try (var in = ex.getRequestBody()) {
      var bytes = in.readNBytes(MAX_BODY + 1);
      if (bytes.length > MAX_BODY) {
        throw new IllegalArgumentException("form too large");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static AdminServer.Response text(int status, String message) {
    return new AdminServer.Response(status, "text/plain; charset=utf-8", message);
  }
}
