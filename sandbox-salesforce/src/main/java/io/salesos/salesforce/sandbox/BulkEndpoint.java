package io.salesos.salesforce.sandbox;

import io.salesos.salesforce.sandbox.OrgStore.CallFault;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;

/**
 * Bulk API 1.0 query jobs as force-wsc's BulkConnection speaks them: XML jobInfo/batchInfo under
 * {@code /services/async/{ver}/job}, the SOQL as a CSV batch body, results as CSV files listed by
 * a result-list. A batch runs as soon as it is created, so a poller's first status read already
 * says Completed (or Failed, with the query error in stateMessage), unless the fault switch holds
 * batches Queued.
 *
 * <p>A job's state moves as the Bulk API guide says: a POSTed jobInfo with state Closed closes an
 * Open job (no more batches), Aborted aborts an Open or Closed one (its batches not yet run become
 * NotProcessed); an aborted job's state no longer changes. A job created with a JSON jobInfo
 * (force-wsc's {@code createJob(job, ContentType.JSON)}) is answered in JSON: its jobInfo and its
 * state changes, with the same fields as the XML.
 */
final class BulkEndpoint {

  private static final String NS = "http://www.force.com/2009/06/asyncapi/dataload";

  /** A query job and its batches. */
  private static final class Job {
    final String id;
    final String object;
    final String operation;
    final String createdBy;
    final String createdDate;
    final String contentType;
    final boolean json;
    volatile String state = "Open";
    volatile String modstamp;
    final List<String> states = new java.util.concurrent.CopyOnWriteArrayList<>(List.of("Open"));
    final Map<String, Batch> batches = new java.util.concurrent.ConcurrentSkipListMap<>();

    Job(String id, String object, String operation, String createdBy, String createdDate, String contentType,
        boolean json) {
      this.id = id;
      this.object = object;
      this.operation = operation;
      this.createdBy = createdBy;
      this.createdDate = createdDate;
      this.modstamp = createdDate;
      this.contentType = contentType;
      this.json = json;
    }
  }

  /** One batch: its state, its query and its result files. */
  private record Batch(String id, String state, String message, int records, List<String> resultIds,
      List<String> results, String createdDate, String soql) {}

  private final OrgStore store;
  private final ApiGate gate;
  private final SandboxFaults faults;
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private final AtomicLong seq = new AtomicLong();
  private volatile int rowsPerResult = 10_000;
  private final DocumentBuilderFactory dbf = HardenedXml.documentBuilderFactory();

  BulkEndpoint(OrgStore store, ApiGate gate, SandboxFaults faults) {
    this.store = store;
    this.gate = gate;
    this.faults = faults;
    faults.onBulkJobs(() -> jobs.values().stream()
        .sorted(java.util.Comparator.comparing(j -> j.id))
        .map(j -> new SandboxFaults.BulkJobSeen(j.id, j.object, j.states)).toList());
  }

  void rowsPerResult(int rows) {
    this.rowsPerResult = rows;
  }

  /** {@code path} is what follows {@code /services/async/{ver}/}. */
  Reply handle(String method, String path, String sessionId, byte[] body, String apiVersion) {
    var admission = gate.admit(sessionId);
    if (!admission.admitted()) {
      if (admission.faultCode() == null) {
        return Reply.of(admission.httpStatus(), "text/html", "<html><body>Service unavailable</body></html>");
      }
      var code = switch (admission.faultCode()) {
        case "INVALID_SESSION_ID" -> "InvalidSessionId";
        case "REQUEST_LIMIT_EXCEEDED" -> "ExceededQuota";
        case "UNABLE_TO_LOCK_ROW" -> "TooManyLockFailure";
        default -> "InternalServerError";
      };
      return error(code.equals("InternalServerError") ? 500 : 400, code, admission.faultMessage());
    }
    var parts = path.split("/");
    try {
      Reply reply;
      if (parts.length == 1 && parts[0].equals("job") && method.equals("POST")) {
        reply = createJob(body, admission.userId(), apiVersion);
      } else if (parts.length < 2 || !parts[0].equals("job")) {
        reply = error(404, "InvalidUrl", "unknown resource " + path);
      } else {
        var job = jobs.get(parts[1]);
        if (job == null) {
          reply = error(400, "InvalidJob", "Unable to find object: " + parts[1]);
        } else if (parts.length == 2) {
          var state = method.equals("POST") ? field(body, "state") : null;
          var refused = state == null ? null : changeState(job, state);
          settle(job);
          reply = refused != null ? refused : jobInfo(job, apiVersion);
        } else if (parts.length == 3 && method.equals("POST")) {
          if (!job.state.equals("Open")) {
            reply = error(job, 400, "InvalidJobState", "Job " + job.id + " is " + job.state + "; batches can be added to an"
                + " Open job only");
          } else {
            Batch created;
            synchronized (store) {
              created = createBatch(job, new String(body, StandardCharsets.UTF_8));
            }
            reply = xml(batchXml(job, created));
          }
        } else if (parts.length == 3) {
          settle(job);
          var sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><batchInfoList xmlns=\"" + NS + "\">");
          for (var b : job.batches.values()) {
            sb.append(batchXml(job, b).replaceFirst("<\\?xml[^>]*>", "").replace("<batchInfo xmlns=\"" + NS + "\">", "<batchInfo>"));
          }
          reply = xml(sb.append("</batchInfoList>").toString());
        } else {
          settle(job);
          var batch = job.batches.get(parts[3]);
          if (batch == null) {
            reply = error(400, "InvalidBatch", "Unable to find batch: " + parts[3]);
          } else if (parts.length == 4) {
            reply = xml(batchXml(job, batch));
          } else if (parts.length == 5) {
            var sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><result-list xmlns=\"" + NS + "\">");
            batch.resultIds().forEach(r -> sb.append("<result>").append(r).append("</result>"));
            reply = xml(sb.append("</result-list>").toString());
          } else {
            int idx = batch.resultIds().indexOf(parts[5]);
            reply = idx < 0 ? error(400, "InvalidBatch", "Unable to find result " + parts[5])
                : Reply.of(200, "text/csv;charset=UTF-8", batch.results().get(idx));
          }
        }
      }
      return faults.takeMalformed() ? reply.truncated() : reply;
    } catch (IllegalArgumentException e) {
      return error(400, "InvalidXml", e.getMessage());
    }
  }

  private Reply createJob(byte[] body, String user, String apiVersion) {
    boolean json = isJson(body);
    var operation = field(body, "operation");
    var object = field(body, "object");
    var contentType = field(body, "contentType");
    if (!"query".equals(operation) && !"queryAll".equals(operation)) {
      return error(400, "InvalidJob", "this sandbox serves Bulk query jobs only, not " + operation);
    }
    var def = store.schema().object(object == null ? "" : object);
    if (def.isEmpty()) {
      return error(400, "InvalidEntity", "Entity '" + object + "' is not supported by the Bulk API.");
    }
    var id = "750" + "8d00" + String.format("%08d", seq.incrementAndGet());
    var job = new Job(IdMinter.to18(id), def.get().name(), operation, user,
        WireFormat.format(store.clock().instant()), contentType == null ? "CSV" : contentType, json);
    jobs.put(job.id, job);
    return jobInfo(job, apiVersion);
  }

  private static boolean isJson(byte[] body) {
    var text = new String(body, StandardCharsets.UTF_8).strip();
    return text.startsWith("{");
  }

  /** A top-level text field of a jobInfo request body, XML or JSON; null when absent. */
  private String field(byte[] body, String name) {
    if (!isJson(body)) {
      return text(parse(body), name);
    }
    var m = java.util.regex.Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"")
        .matcher(new String(body, StandardCharsets.UTF_8));
    return m.find() ? m.group(1) : null;
  }

  /**
   * Closes or aborts {@code job} as a POSTed jobInfo asks, or the error Salesforce answers when the
   * job cannot move there; null when it moved (or already stood there).
   */
  private Reply changeState(Job job, String state) {
    synchronized (job) {
      if (state.equals(job.state)) {
        return null;
      }
      if (!state.equals("Closed") && !state.equals("Aborted")) {
        return error(job, 400, "InvalidJobState", "A job's state can be set to Closed or Aborted only, not " + state);
      }
      if (job.state.equals("Aborted") || state.equals("Closed") && !job.state.equals("Open")) {
        return error(job, 400, "InvalidJobState", "Job " + job.id + " is " + job.state + " and cannot be set to "
            + state);
      }
      job.state = state;
      job.states.add(state);
      job.modstamp = WireFormat.format(store.clock().instant());
      if (state.equals("Aborted")) {
        job.batches.replaceAll((id, b) -> b.state().equals("Queued") || b.state().equals("InProgress")
            ? new Batch(b.id(), "NotProcessed", null, 0, List.of(), List.of(), b.createdDate(), b.soql()) : b);
      }
      return null;
    }
  }

  /** Runs the batches the fault switch held in Queued, once it no longer holds them. */
  private void settle(Job job) {
    if (faults.bulkHeldQueued()) {
      return;
    }
    synchronized (job) {
      for (var b : List.copyOf(job.batches.values())) {
        if (b.state().equals("Queued") && !job.state.equals("Aborted")) {
          synchronized (store) {
            job.batches.put(b.id(), run(job, b.id(), b.soql(), b.createdDate()));
          }
        }
      }
    }
  }

  private Batch createBatch(Job job, String soql) {
    var id = IdMinter.to18("751" + "8d00" + String.format("%08d", seq.incrementAndGet()));
    var now = WireFormat.format(store.clock().instant());
    var batch = faults.bulkHeldQueued() ? new Batch(id, "Queued", null, 0, List.of(), List.of(), now, soql)
        : run(job, id, soql, now);
    job.batches.put(id, batch);
    return batch;
  }

  /** The batch {@code id} of {@code job}, its query run now: Completed with its result files, or Failed. */
  private Batch run(Job job, String id, String soql, String now) {
    Batch batch;
    try {
      var q = Soql.parse(soql, store.schema(), store);
      if (!q.object().name().equals(job.object)) {
        throw new CallFault("INVALID_TYPE", "", "the batch queries " + q.object().name() + " in a job for " + job.object);
      }
      var rows = Soql.run(q, store, job.operation.equals("queryAll"));
      var resultIds = new ArrayList<String>();
      var results = new ArrayList<String>();
      for (int from = 0; from < Math.max(1, rows.size()); from += rowsPerResult) {
        var csv = new StringBuilder();
        csv.append(String.join(",", q.fields().stream().map(f -> "\"" + f.name() + "\"").toList())).append('\n');
        for (int i = from; i < Math.min(rows.size(), from + rowsPerResult); i++) {
          var row = rows.get(i);
          for (int c = 0; c < q.fields().size(); c++) {
            var f = q.fields().get(c);
            var wrong = faults.wrongTyped(row.id, f.name());
            var v = wrong.isPresent() ? wrong.get() : WireFormat.format(store.read(row, f));
            if (c > 0) {
              csv.append(',');
            }
            csv.append('"').append(v == null ? "" : v.replace("\"", "\"\"")).append('"');
          }
          csv.append('\n');
        }
        resultIds.add(IdMinter.to18("752" + "8d00" + String.format("%08d", seq.incrementAndGet())));
        results.add(csv.toString());
      }
      batch = new Batch(id, "Completed", null, rows.size(), resultIds, results, now, soql);
    } catch (CallFault f) {
      batch = new Batch(id, "Failed", "InvalidBatch : Failed to process query: " + f.code + ": " + f.getMessage(), 0,
          List.of(), List.of(), now, soql);
    }
    return batch;
  }

  /** The jobInfo of {@code job} in the format it was created in. */
  private Reply jobInfo(Job job, String apiVersion) {
    var fields = jobFields(job, apiVersion);
    if (job.json) {
      var sb = new StringBuilder("{");
      fields.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append('"').append(k).append("\":")
          .append(v instanceof String text ? "\"" + text + "\"" : v));
      return Reply.of(200, "application/json", sb.append('}').toString());
    }
    var sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><jobInfo xmlns=\"" + NS + "\">");
    fields.forEach((k, v) -> sb.append('<').append(k).append('>').append(v).append("</").append(k).append('>'));
    return xml(sb.append("</jobInfo>").toString());
  }

  /** A jobInfo's fields in the order the Bulk API guide shows them; numbers as numbers. */
  private Map<String, Object> jobFields(Job job, String apiVersion) {
    var f = new java.util.LinkedHashMap<String, Object>();
    f.put("id", job.id);
    f.put("operation", job.operation);
    f.put("object", job.object);
    f.put("createdById", job.createdBy);
    f.put("createdDate", job.createdDate);
    f.put("systemModstamp", job.modstamp);
    f.put("state", job.state);
    f.put("concurrencyMode", "Parallel");
    f.put("contentType", job.contentType);
    f.put("numberBatchesQueued", count(job, "Queued"));
    f.put("numberBatchesInProgress", count(job, "InProgress"));
    f.put("numberBatchesCompleted", count(job, "Completed"));
    f.put("numberBatchesFailed", count(job, "Failed"));
    f.put("numberBatchesTotal", job.batches.size());
    f.put("numberRecordsProcessed", job.batches.values().stream().mapToLong(Batch::records).sum());
    f.put("numberRetries", 0);
    f.put("apiVersion", Double.parseDouble(apiVersion));
    f.put("numberRecordsFailed", 0);
    f.put("totalProcessingTime", 0);
    f.put("apiActiveProcessingTime", 0);
    f.put("apexProcessingTime", 0);
    return f;
  }

  private static int count(Job job, String state) {
    return (int) job.batches.values().stream().filter(b -> b.state().equals(state)).count();
  }

  private static String batchXml(Job job, Batch b) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><batchInfo xmlns=\"" + NS + "\"><id>" + b.id() + "</id><jobId>"
        + job.id + "</jobId><state>" + b.state() + "</state>"
        + (b.message() == null ? "" : "<stateMessage>" + WireFormat.xmlEscape(b.message()) + "</stateMessage>")
        + "<createdDate>" + b.createdDate() + "</createdDate><systemModstamp>" + b.createdDate() + "</systemModstamp>"
        + "<numberRecordsProcessed>" + b.records() + "</numberRecordsProcessed><numberRecordsFailed>0"
        + "</numberRecordsFailed><totalProcessingTime>0</totalProcessingTime><apiActiveProcessingTime>0"
        + "</apiActiveProcessingTime><apexProcessingTime>0</apexProcessingTime></batchInfo>";
  }

  private static Reply xml(String xml) {
    return Reply.of(200, "application/xml", xml);
  }

  /** An error in the format of {@code job}'s requests. */
  private static Reply error(Job job, int status, String code, String message) {
    if (!job.json) {
      return error(status, code, message);
    }
    return Reply.of(status, "application/json", "{\"exceptionCode\":\"" + code + "\",\"exceptionMessage\":\""
        + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}");
  }

  static Reply error(int status, String code, String message) {
    return Reply.of(status, "application/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><error xmlns=\"" + NS
        + "\"><exceptionCode>" + code + "</exceptionCode><exceptionMessage>" + WireFormat.xmlEscape(message)
        + "</exceptionMessage></error>");
  }

  private Element parse(byte[] body) {
    try {
      return dbf.newDocumentBuilder().parse(new ByteArrayInputStream(body)).getDocumentElement();
    } catch (Exception e) {
      throw new IllegalArgumentException("the request body is not XML: " + e.getMessage());
    }
  }

  private static String text(Element root, String localName) {
    return SoapEndpoint.text(SoapEndpoint.child(root, localName));
  }
}
