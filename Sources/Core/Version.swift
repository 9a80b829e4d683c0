/// LossLab's version, used by `losslab --version` and in BLEU signatures.
public enum LossLabVersion {
  public static let string = "0.1.0"
}
