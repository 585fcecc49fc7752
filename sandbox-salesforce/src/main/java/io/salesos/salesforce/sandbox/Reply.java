package io.salesos.salesforce.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** One HTTP answer of the sandbox: status, content type, extra headers and body. */
record Reply(int status, String contentType, Map<String, String> headers, byte[] body) {

  static Reply xml(int status, String xml) {
    return new Reply(status, "text/xml;charset=UTF-8", Map.of(), xml.getBytes(StandardCharsets.UTF_8));
  }

  static Reply of(int status, String contentType, String body) {
    return new Reply(status, contentType, Map.of(), body.getBytes(StandardCharsets.UTF_8));
  }

  /** The same answer cut off halfway, as a dropped connection or a broken proxy leaves it. */
  Reply truncated() {
    var cut = java.util.Arrays.copyOf(body, Math.max(1, body.length / 2));
    return new Reply(200, contentType, headers, cut);
  }
}
