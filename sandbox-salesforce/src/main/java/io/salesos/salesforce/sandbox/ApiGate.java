package io.salesos.salesforce.sandbox;

/**
 * What every API call (SOAP or Bulk, not login or token) passes before it runs: a live session,
 * then any fault a test queued, then the daily request limit, which the call then counts against.
 */
final class ApiGate {

  /** The gate's verdict: the session's user, or the fault to answer with. */
  record Admission(String userId, String faultCode, String faultMessage, int httpStatus) {
    boolean admitted() {
      return faultCode == null && httpStatus == 200;
    }
  }

  private final Sessions sessions;
  private final SandboxFaults faults;

  ApiGate(Sessions sessions, SandboxFaults faults) {
    this.sessions = sessions;
    this.faults = faults;
  }

  Admission admit(String sessionId) {
    var user = sessions.use(sessionId);
    if (user.isEmpty()) {
      return new Admission(null, "INVALID_SESSION_ID", "Invalid Session ID found in SessionHeader: Illegal Session", 500);
    }
    var planned = faults.takePlanned();
    if (planned.isPresent()) {
      var p = planned.get();
      if (p.exceptionCode() == null) {
        return new Admission(null, null, null, p.httpStatus());
      }
      return new Admission(null, p.exceptionCode(), messageFor(p.exceptionCode()), p.httpStatus());
    }
    if (!faults.countRequest()) {
      return new Admission(null, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", 500);
    }
    return new Admission(user.get(), null, null, 200);
  }

  static String messageFor(String code) {
    return switch (code) {
      case "INVALID_SESSION_ID" -> "Invalid Session ID found in SessionHeader: Illegal Session";
      case "REQUEST_LIMIT_EXCEEDED" -> "TotalRequests Limit exceeded.";
      case "UNABLE_TO_LOCK_ROW" -> "unable to obtain exclusive access to this record";
      case "SERVER_UNAVAILABLE" -> "Server is temporarily unavailable, please try again later";
      default -> "An unexpected error occurred. Please include this ErrorId if you contact support: 1234567-89012 (-1234567)";
    };
  }
}
