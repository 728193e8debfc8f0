/// Stops the process when a decoder breaks its contract, so libFuzzer records the input as a
/// crash. Unlike `precondition` it also fires in optimised builds, and it says what broke.
public func require(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line
) {
    guard condition() else { fatalError("decoder contract violated: \(message())", file: file, line: line) }
}
