package io.salesos.salesforce;

import com.sforce.async.AsyncApiException;
import com.sforce.soap.partner.fault.ApiFault;
import com.sforce.soap.partner.fault.ExceptionCode;
import com.sforce.ws.ConnectionException;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.ConnectorException.Kind;

/**
 * Sorts what force-wsc throws into core's failure kinds, so the resilience layer knows whether to
 * retry (5xx, timeouts, lock contention, broken responses), stop for the day
 * (REQUEST_LIMIT_EXCEEDED), ask a person for credentials, or give up on a wrong request.
 */
final class SalesforceFaults {

  private SalesforceFaults() {}

  static boolean invalidSession(Exception e) {
    if (e instanceof ApiFault f) {
      return f.getExceptionCode() == ExceptionCode.INVALID_SESSION_ID;
    }
    if (e instanceof com.sforce.ws.SoapFaultException s) {
      return "INVALID_SESSION_ID".equals(faultCode(s));
    }
    return e instanceof AsyncApiException a && a.getExceptionCode() == com.sforce.async.AsyncExceptionCode.InvalidSessionId;
  }

  static ConnectorException classify(String what, Exception e) {
    return classify(what, e, "");
  }

  /** As above; a connection-level failure names {@code where} (scheme://host:port of the org). */
  static ConnectorException classify(String what, Exception e, String where) {
    if (e instanceof ApiFault f) {
      var code = f.getExceptionCode();
      var msg = what + " failed: " + code + ": " + f.getExceptionMessage();
      return switch (code == null ? ExceptionCode.UNKNOWN_EXCEPTION : code) {
        case REQUEST_LIMIT_EXCEEDED -> new ConnectorException(Kind.LIMIT_EXHAUSTED,
            msg + " (the org's daily API request limit is spent; pulls resume when it refills)", e);
        case INVALID_SESSION_ID, INVALID_LOGIN, LOGIN_MUST_USE_SECURITY_TOKEN, INVALID_OPERATION_WITH_EXPIRED_PASSWORD,
            API_DISABLED_FOR_ORG, INSUFFICIENT_ACCESS -> new ConnectorException(Kind.AUTHENTICATION, msg, e);
        case UNABLE_TO_LOCK_ROW, SERVER_UNAVAILABLE, UNKNOWN_EXCEPTION, QUERY_TIMEOUT, INVALID_QUERY_LOCATOR,
            REQUEST_RUNNING_TOO_LONG -> new ConnectorException(Kind.TRANSIENT, msg, e);
        default -> new ConnectorException(Kind.PERMANENT, msg, e);
      };
    }
    if (e instanceof com.sforce.ws.SoapFaultException s) {
      // the Metadata API's faults carry only a code and a text (no typed fault classes in its stubs)
      var code = faultCode(s);
      var msg = what + " failed: " + s.getMessage();
      return switch (code) {
        case "REQUEST_LIMIT_EXCEEDED" -> new ConnectorException(Kind.LIMIT_EXHAUSTED, msg, e);
        case "INVALID_SESSION_ID", "INSUFFICIENT_ACCESS", "API_DISABLED_FOR_ORG" ->
            new ConnectorException(Kind.AUTHENTICATION, msg, e);
        case "UNKNOWN_EXCEPTION", "SERVER_UNAVAILABLE", "UNABLE_TO_LOCK_ROW" -> new ConnectorException(Kind.TRANSIENT, msg, e);
        default -> new ConnectorException(Kind.PERMANENT, msg, e);
      };
    }
    if (e instanceof AsyncApiException a) {
      var msg = what + " failed: " + a.getExceptionCode() + ": " + a.getExceptionMessage();
      return switch (a.getExceptionCode()) {
        case ExceededQuota -> new ConnectorException(Kind.LIMIT_EXHAUSTED, msg, e);
        case InvalidSessionId, InvalidUser -> new ConnectorException(Kind.AUTHENTICATION, msg, e);
        case InvalidJob, InvalidBatch, InvalidEntity, InvalidOperation, InvalidUrl, InvalidVersion, InvalidXml,
            FeatureNotEnabled, UnsupportedContentType, ClientInputError -> new ConnectorException(Kind.PERMANENT, msg, e);
        default -> new ConnectorException(Kind.TRANSIENT, msg, e);
      };
    }
    if (e instanceof ConnectionException || e instanceof java.io.IOException) {
      return new ConnectorException(Kind.TRANSIENT, what + (where.isEmpty() ? "" : " at " + where) + " failed: " + e, e);
    }
    return new ConnectorException(Kind.TRANSIENT, what + " failed: " + e, e);
  }

  /** The code of a SOAP fault, e.g. INSUFFICIENT_ACCESS for {@code sf:INSUFFICIENT_ACCESS}. */
  static String faultCode(com.sforce.ws.SoapFaultException s) {
    return s.getFaultCode() == null ? "" : s.getFaultCode().getLocalPart();
  }
}
