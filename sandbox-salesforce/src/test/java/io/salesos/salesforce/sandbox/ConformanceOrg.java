package io.salesos.salesforce.sandbox;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sforce.soap.partner.Connector;
import com.sforce.soap.partner.PartnerConnection;
import com.sforce.soap.partner.fault.ApiFault;
import com.sforce.soap.partner.fault.ExceptionCode;
import com.sforce.soap.partner.sobject.SObject;
import com.sforce.ws.ConnectorConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * An empty sandbox org on a frozen clock for the conformance suite, with the few moves its tests
 * share: log in with force-wsc, create records as a user would, read one column of a query.
 */
final class ConformanceOrg implements AutoCloseable {

  /** A Friday: the week started on Sunday 2026-11-15, the quarter on 2026-10-01. */
  static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");

  final SalesforceSandbox sandbox;

  ConformanceOrg() {
    sandbox = SalesforceSandbox.builder().clock(SandboxClock.frozenAt(NOW)).start();
  }

  PartnerConnection login() throws Exception {
    var config = new ConnectorConfig();
    config.setUsername(sandbox.username());
    config.setPassword(sandbox.password());
    config.setAuthEndpoint(sandbox.loginUrl());
    return Connector.newConnection(config);
  }

  /** Creates a record as a user would, stamped at {@code at}; the clock goes back to NOW after. */
  String createAt(Instant at, String sobject, Object... keyValues) {
    sandbox.clock().set(at);
    try {
      return create(sobject, keyValues);
    } finally {
      sandbox.clock().set(NOW);
    }
  }

  String create(String sobject, Object... keyValues) {
    Map<String, Object> fields = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      fields.put((String) keyValues[i], keyValues[i + 1]);
    }
    return sandbox.createAsUser(sobject, fields);
  }

  /** The values of one field over every record a query returns (all pages). */
  static List<String> column(PartnerConnection p, String soql, String field) throws Exception {
    var out = new ArrayList<String>();
    var r = p.query(soql);
    while (true) {
      for (SObject s : r.getRecords()) {
        var v = s.getField(field);
        out.add(v == null ? null : v.toString());
      }
      if (r.isDone()) {
        return out;
      }
      r = p.queryMore(r.getQueryLocator());
    }
  }

  static void assertFault(ThrowingCallable call, ExceptionCode code) {
    assertThatThrownBy(call).isInstanceOfSatisfying(ApiFault.class,
        f -> org.assertj.core.api.Assertions.assertThat(f.getExceptionCode()).isEqualTo(code));
  }

  @Override
  public void close() {
    sandbox.close();
  }
}
