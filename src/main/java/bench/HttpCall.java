package bench;

/**
 * One HTTP request of a load-generator script: method, path (with query), content type and body
 * (both null for a request without a body).
 */
public record HttpCall(String method, String path, String contentType, String body) {
  public static HttpCall get(String path) {
    return new HttpCall("GET", path, null, null);
  }
}
