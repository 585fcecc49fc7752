package io.salesos.salesforce.sandbox;

import io.salesos.salesforce.sandbox.OrgStore.CallFault;
import io.salesos.salesforce.sandbox.OrgStore.Row;
import io.salesos.salesforce.sandbox.OrgSchema.FieldDef;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Bulk API 2.0 query jobs under {@code /services/data/vXX.X/jobs/query}: create a job from a JSON
 * body, read its state, page through its CSV results with {@code locator} and {@code maxRecords}
 * (answered with the Sforce-Locator and Sforce-NumberOfRecords headers), abort and delete it. A
 * job runs as soon as it is created, so its first status read already says JobComplete (or
 * Failed with the query error); its results are the rows matched at that moment.
 */
final class Bulk2Endpoint {

  private static final Pattern STRING_FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** A query job with its result rows already written out as CSV lines. */
  private static final class Job {
    final String id;
    final String operation;
    final String object;
    final String createdBy;
    final String createdDate;
    final String apiVersion;
    final String header;
    final List<String> lines;
    final String error;
    volatile String state;

    Job(String id, String operation, String object, String createdBy, String createdDate, String apiVersion,
        String header, List<String> lines, String error) {
      this.id = id;
      this.operation = operation;
      this.object = object;
      this.createdBy = createdBy;
      this.createdDate = createdDate;
      this.apiVersion = apiVersion;
      this.header = header;
      this.lines = lines;
      this.error = error;
      this.state = error == null ? "JobComplete" : "Failed";
    }
  }

  private final OrgStore store;
  private final ApiGate gate;
  private final SandboxFaults faults;
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private final AtomicLong seq = new AtomicLong();
  private volatile int defaultRecordsPerSet = 100_000;

  Bulk2Endpoint(OrgStore store, ApiGate gate, SandboxFaults faults) {
    this.store = store;
    this.gate = gate;
    this.faults = faults;
  }

  /** How many rows a results request returns when it gives no maxRecords (100,000 by default). */
  void defaultRecordsPerSet(int rows) {
    this.defaultRecordsPerSet = rows;
  }

  /**
   * {@code version} is the vXX.X of the URL, {@code rest} what follows {@code jobs/query}
   * (empty, {@code /id} or {@code /id/results}), {@code query} the URL's query string or null.
   */
  Reply handle(String method, String version, String rest, String query, String authorization, byte[] body) {
    var token = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        ? authorization.substring(7).trim() : null;
    var admission = gate.admit(token);
    if (!admission.admitted()) {
      if (admission.faultCode() == null) {
        return Reply.of(admission.httpStatus(), "text/html", "<html><body>Service unavailable</body></html>");
      }
      int status = switch (admission.faultCode()) {
        case "INVALID_SESSION_ID" -> 401;
        case "REQUEST_LIMIT_EXCEEDED" -> 403;
        case "SERVER_UNAVAILABLE" -> 503;
        default -> 500;
      };
      var message = admission.faultCode().equals("INVALID_SESSION_ID") ? "Session expired or invalid"
          : admission.faultMessage();
      return error(status, admission.faultCode(), message);
    }
    Reply reply;
    var parts = rest.isEmpty() ? new String[0] : rest.substring(1).split("/");
    if (parts.length == 0) {
      reply = switch (method) {
        case "POST" -> create(body, admission.userId(), version);
        case "GET" -> list(version);
        default -> error(405, "METHOD_NOT_ALLOWED", "HTTP Method '" + method + "' not allowed. Allowed are GET,POST");
      };
    } else {
      var job = jobs.get(parts[0]);
      if (job == null) {
        reply = error(404, "NOT_FOUND", "The requested resource does not exist");
      } else if (parts.length == 1) {
        reply = switch (method) {
          case "GET" -> json(200, jobJson(job));
          case "PATCH" -> abort(job, body);
          case "DELETE" -> {
            jobs.remove(job.id);
            yield new Reply(204, "application/json", Map.of(), new byte[0]);
          }
          default -> error(405, "METHOD_NOT_ALLOWED", "HTTP Method '" + method + "' not allowed.");
        };
      } else if (parts.length == 2 && parts[1].equals("results") && method.equals("GET")) {
        reply = results(job, version, query);
      } else {
        reply = error(404, "NOT_FOUND", "The requested resource does not exist");
      }
    }
    return faults.takeMalformed() ? reply.truncated() : reply;
  }

  private Reply create(byte[] body, String user, String version) {
    var fields = stringFields(new String(body, StandardCharsets.UTF_8));
    var operation = fields.getOrDefault("operation", "");
    var soql = fields.get("query");
    if (!operation.equals("query") && !operation.equals("queryAll")) {
      return error(400, "INVALIDJOB", "InvalidJob : Invalid job operation: " + operation
          + " (query jobs take query or queryAll)");
    }
    if (soql == null || soql.isBlank()) {
      return error(400, "INVALIDJOB", "InvalidJob : the job needs a query");
    }
    var delimiter = fields.getOrDefault("columnDelimiter", "COMMA");
    var lineEnding = fields.getOrDefault("lineEnding", "LF");
    if (!delimiter.equals("COMMA") || !lineEnding.equals("LF")) {
      return error(400, "INVALIDJOB", "InvalidJob : the sandbox writes COMMA-delimited, LF-ended CSV only");
    }
    var id = IdMinter.to18("750" + "8d01" + String.format("%08d", seq.incrementAndGet()));
    var now = WireFormat.format(store.clock().instant());
    Soql.Query q;
    List<Row> rows;
    synchronized (store) {
      try {
        q = Soql.parse(soql, store.schema(), store);
        if (q.count()) {
          throw new CallFault("INVALID_TYPE_FOR_OPERATION", "", "COUNT() is not supported by Bulk API 2.0 query");
        }
        rows = List.copyOf(Soql.run(q, store, operation.equals("queryAll")));
      } catch (CallFault f) {
        return error(400, f.code, f.getMessage().strip());
      }
      var lines = new java.util.ArrayList<String>(rows.size());
      for (var row : rows) {
        lines.add(csvLine(row, q.fields()));
      }
      var header = String.join(",", q.fields().stream().map(f -> "\"" + f.name() + "\"").toList());
      var job = new Job(id, operation, q.object().name(), user, now, version, header, lines, null);
      jobs.put(id, job);
      var created = jobJson(job).replace("\"state\":\"JobComplete\"", "\"state\":\"UploadComplete\"");
      return json(200, created);
    }
  }

  private String csvLine(Row row, List<FieldDef> fields) {
    var sb = new StringBuilder();
    for (int c = 0; c < fields.size(); c++) {
      var f = fields.get(c);
      var wrong = faults.wrongTyped(row.id, f.name());
      var v = wrong.isPresent() ? wrong.get() : WireFormat.format(store.read(row, f));
      if (c > 0) {
        sb.append(',');
      }
      sb.append('"').append(v == null ? "" : v.replace("\"", "\"\"")).append('"');
    }
    return sb.toString();
  }

  private Reply abort(Job job, byte[] body) {
    var state = stringFields(new String(body, StandardCharsets.UTF_8)).get("state");
    if (!"Aborted".equals(state)) {
      return error(400, "INVALIDJOBSTATE", "InvalidJobState : a query job can only be set to Aborted");
    }
    if (!job.state.equals("UploadComplete") && !job.state.equals("InProgress")) {
      return error(400, "INVALIDJOBSTATE", "InvalidJobState : Job [" + job.id + "] is in state " + job.state
          + " and can no longer be aborted");
    }
    job.state = "Aborted";
    return json(200, jobJson(job));
  }

  private Reply results(Job job, String version, String query) {
    if (!job.apiVersion.equals(version)) {
      return error(409, "CONFLICT", "Use the API version the job was created with (" + job.apiVersion + ")");
    }
    if (!job.state.equals("JobComplete")) {
      return error(400, "INVALIDJOBSTATE", "InvalidJobState : Job [" + job.id + "] is in state " + job.state
          + "; results are available once it is JobComplete");
    }
    var params = params(query);
    int from = 0;
    if (params.containsKey("locator")) {
      try {
        from = Integer.parseInt(new String(Base64.getDecoder().decode(params.get("locator")), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        from = -1;
      }
      if (from < 0 || from > job.lines.size()) {
        return error(400, "INVALIDLOCATOR", "Invalid locator: " + params.get("locator"));
      }
    }
    int max = defaultRecordsPerSet;
    if (params.containsKey("maxRecords")) {
      try {
        max = Integer.parseInt(params.get("maxRecords"));
      } catch (NumberFormatException e) {
        max = 0;
      }
      if (max <= 0) {
        return error(400, "INVALIDMAXRECORDS", "maxRecords must be a positive whole number: " + params.get("maxRecords"));
      }
    }
    int to = Math.min(job.lines.size(), from + max);
    var csv = new StringBuilder(job.header).append('\n');
    for (int i = from; i < to; i++) {
      csv.append(job.lines.get(i)).append('\n');
    }
    var next = to < job.lines.size()
        ? Base64.getEncoder().withoutPadding().encodeToString(String.valueOf(to).getBytes(StandardCharsets.UTF_8))
        : "null";
    var headers = new LinkedHashMap<String, String>();
    headers.put("Sforce-Locator", next);
    headers.put("Sforce-NumberOfRecords", String.valueOf(to - from));
    return new Reply(200, "text/csv", headers, csv.toString().getBytes(StandardCharsets.UTF_8));
  }

  private Reply list(String version) {
    var sb = new StringBuilder("{\"done\":true,\"records\":[");
    boolean first = true;
    for (var job : jobs.values()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      sb.append(jobJson(job));
    }
    return json(200, sb.append("],\"nextRecordsUrl\":null}").toString());
  }

  private String jobJson(Job job) {
    return "{\"id\":\"" + job.id + "\",\"operation\":\"" + job.operation + "\",\"object\":\"" + job.object
        + "\",\"createdById\":\"" + job.createdBy + "\",\"createdDate\":\"" + stamp(job.createdDate)
        + "\",\"systemModstamp\":\"" + stamp(job.createdDate) + "\",\"state\":\"" + job.state
        + "\",\"concurrencyMode\":\"Parallel\",\"contentType\":\"CSV\",\"apiVersion\":" + job.apiVersion.substring(1)
        + ",\"jobType\":\"V2Query\",\"lineEnding\":\"LF\",\"columnDelimiter\":\"COMMA\",\"numberRecordsProcessed\":"
        + job.lines.size() + ",\"retries\":0,\"totalProcessingTime\":0"
        + (job.error == null ? "" : ",\"errorMessage\":\"" + jsonEscape(job.error) + "\"") + "}";
  }

  /** Bulk 2.0 writes its dates as 2022-01-02T17:38:59.000+0000. */
  private static String stamp(String wire) {
    return wire.endsWith("Z") ? wire.substring(0, wire.length() - 1) + "+0000" : wire;
  }

  static Reply error(int status, String code, String message) {
    return json(status, "[{\"errorCode\":\"" + code + "\",\"message\":\"" + jsonEscape(message) + "\"}]");
  }

  private static Reply json(int status, String json) {
    return Reply.of(status, "application/json;charset=UTF-8", json);
  }

  private static String jsonEscape(String s) {
    var sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }

  /** The string members of a flat JSON object, unescaped; enough for the request bodies this resource takes. */
  private static Map<String, String> stringFields(String json) {
    var out = new LinkedHashMap<String, String>();
    var m = STRING_FIELD.matcher(json);
    while (m.find()) {
      var raw = m.group(2);
      var sb = new StringBuilder();
      for (int i = 0; i < raw.length(); i++) {
        char c = raw.charAt(i);
        if (c == '\\' && i + 1 < raw.length()) {
          char e = raw.charAt(++i);
          switch (e) {
            case 'n' -> sb.append('\n');
            case 't' -> sb.append('\t');
            case 'r' -> sb.append('\r');
            case 'u' -> {
              sb.append((char) Integer.parseInt(raw.substring(i + 1, i + 5), 16));
              i += 4;
            }
            default -> sb.append(e);
          }
        } else {
          sb.append(c);
        }
      }
      out.putIfAbsent(m.group(1), sb.toString());
    }
    return out;
  }

  private static Map<String, String> params(String query) {
    var out = new LinkedHashMap<String, String>();
    if (query == null || query.isEmpty()) {
      return out;
    }
    for (var pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }
}
