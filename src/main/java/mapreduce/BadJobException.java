package mapreduce;

/** A job that cannot start: missing or unreadable input, unknown app, bad reduce count. */
public final class BadJobException extends IllegalArgumentException {
  public BadJobException(String message) {
    super(message);
  }

  public BadJobException(String message, Throwable cause) {
    super(message, cause);
  }
}
