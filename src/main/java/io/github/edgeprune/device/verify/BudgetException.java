package io.github.edgeprune.device.verify;

/** A budget setting that cannot be used; the message names the property and the value. */
public class BudgetException extends IllegalArgumentException {
    public BudgetException(String message) {
        super(message);
    }
}
