/// Random image changes applied to each training batch ([n, channels, height, width]).
public struct Augmentation: Codable, Equatable, Sendable {
    /// Pad by this many pixels, then crop back at a random offset (0: off).
    public var cropPadding: Int = 0
    /// Mirror left–right with probability 1/2.
    public var flip: Bool = false
    /// Shift by up to this many pixels in each direction, filling with zeros (0: off).
    public var translate: Int = 0

    public init(cropPadding: Int = 0, flip: Bool = false, translate: Int = 0) {
        self.cropPadding = cropPadding
        self.flip = flip
        self.translate = translate
    }

    public var isIdentity: Bool { cropPadding == 0 && !flip && translate == 0 }
}
