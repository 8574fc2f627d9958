/// Padding for the fixed-width columns of the trial lines.
extension String {
    /// This text padded with spaces to `width` characters.
    func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
