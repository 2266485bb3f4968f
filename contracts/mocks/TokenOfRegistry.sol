// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title TokenOfRegistry
/// @notice Test double of the patent registry's `tokenOf`, so a test can name any account
/// as a patent's token and drive the evidence trail's token guard directly.
contract TokenOfRegistry {
    mapping(bytes32 patentId => address token) public tokenOf;

    function setToken(bytes32 patentId, address token) external {
        tokenOf[patentId] = token;
    }
}
