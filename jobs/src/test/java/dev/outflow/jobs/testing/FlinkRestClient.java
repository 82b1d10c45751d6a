package dev.outflow.jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.outflow.schemas.event.Json;

import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPatch;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.entity.mime.MultipartEntityBuilder;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of Flink's REST API a user (or {@code flink run}) needs to submit and watch a job: upload a jar, run
 * it with program arguments, read job, checkpoint and TaskManager status, cancel. Every call is bounded by a
 * timeout, so a hung JobManager fails the caller instead of blocking it.
 */
public final class FlinkRestClient implements AutoCloseable {

    private static final Timeout CALL_TIMEOUT = Timeout.ofSeconds(60);

    private final String baseUrl;
    private final CloseableHttpClient http;

    public FlinkRestClient(String baseUrl) {
        this.baseUrl = baseUrl;
        RequestConfig timeouts = RequestConfig.custom()
                .setConnectionRequestTimeout(CALL_TIMEOUT)
                .setResponseTimeout(CALL_TIMEOUT)
                .build();
        this.http = HttpClients.custom().setDefaultRequestConfig(timeouts).disableAutomaticRetries().build();
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** Uploads a job jar ({@code POST /jars/upload}); returns the id the cluster gave it. */
    public String uploadJar(Path jar) throws IOException {
        HttpPost upload = new HttpPost(baseUrl + "/jars/upload");
        upload.setEntity(MultipartEntityBuilder.create()
                .addBinaryBody("jarfile", jar.toFile(), ContentType.create("application/java-archive"),
                        jar.getFileName().toString())
                .build());
        JsonNode answer = call(upload);
        String stored = answer.path("filename").asText();
        if (!"success".equals(answer.path("status").asText()) || stored.isEmpty()) {
            throw new IOException("jar upload refused: " + answer);
        }
        return Path.of(stored).getFileName().toString();
    }

    /** Runs an uploaded jar's entry class with program arguments ({@code POST /jars/<id>/run}); returns the job id. */
    public String runJar(String jarId, String entryClass, List<String> programArgs, int parallelism)
            throws IOException {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("entryClass", entryClass);
        body.put("parallelism", parallelism);
        programArgs.forEach(body.putArray("programArgsList")::add);
        HttpPost run = new HttpPost(baseUrl + "/jars/" + jarId + "/run");
        run.setEntity(new StringEntity(body.toString(), ContentType.APPLICATION_JSON));
        String jobId = call(run).path("jobid").asText();
        if (jobId.isEmpty()) {
            throw new IOException("the cluster did not return a job id for " + jarId);
        }
        return jobId;
    }

    /** {@code GET /jobs/<id>}: state, vertices and their status. */
    public JsonNode job(String jobId) throws IOException {
        return get("/jobs/" + jobId);
    }

    /** The job's state ({@code RUNNING}, {@code RESTARTING}, ...). */
    public String jobState(String jobId) throws IOException {
        return job(jobId).path("state").asText();
    }

    /** True when the job is RUNNING and so is every one of its vertices (every task deployed and started). */
    public boolean fullyRunning(String jobId) throws IOException {
        JsonNode job = job(jobId);
        if (!"RUNNING".equals(job.path("state").asText()) || job.path("vertices").isEmpty()) {
            return false;
        }
        for (JsonNode vertex : job.path("vertices")) {
            if (!"RUNNING".equals(vertex.path("status").asText())) {
                return false;
            }
        }
        return true;
    }

    /** {@code GET /jobs/<id>/checkpoints}: counts, latest completed and latest restored checkpoint. */
    public JsonNode checkpoints(String jobId) throws IOException {
        return get("/jobs/" + jobId + "/checkpoints");
    }

    /** {@code GET /jobs/<id>/exceptions}: the failures the job went through. */
    public JsonNode exceptions(String jobId) throws IOException {
        return get("/jobs/" + jobId + "/exceptions");
    }

    /** Resource ids of the TaskManagers registered with the JobManager. */
    public List<String> taskManagerIds() throws IOException {
        List<String> ids = new ArrayList<>();
        for (JsonNode taskManager : get("/taskmanagers").path("taskmanagers")) {
            ids.add(taskManager.path("id").asText());
        }
        return ids;
    }

    /** {@code GET /taskmanagers/<id>/metrics?get=...}: {@code [{"id": name, "value": "..."}]}. */
    public JsonNode taskManagerMetrics(String taskManagerId, String... metrics) throws IOException {
        return get("/taskmanagers/" + taskManagerId + "/metrics?get=" + String.join(",", metrics));
    }

    /** {@code GET /overview}; answers as soon as the REST endpoint is up. */
    public JsonNode overview() throws IOException {
        return get("/overview");
    }

    /** Cancels the job ({@code PATCH /jobs/<id>?mode=cancel}); returns without waiting for it to end. */
    public void cancel(String jobId) throws IOException {
        call(new HttpPatch(baseUrl + "/jobs/" + jobId + "?mode=cancel"));
    }

    private JsonNode get(String path) throws IOException {
        return call(new HttpGet(baseUrl + path));
    }

    private JsonNode call(HttpUriRequestBase request) throws IOException {
        return http.execute(request, response -> {
            String body = response.getEntity() == null ? ""
                    : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
            if (response.getCode() >= 300) {
                throw new IOException(request.getMethod() + " " + request.getRequestUri() + " answered "
                        + response.getCode() + ": " + body);
            }
            return body.isBlank() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(body);
        });
    }

    @Override
    public void close() throws IOException {
        http.close();
    }
}
